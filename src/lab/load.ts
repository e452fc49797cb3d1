// Parses a lab file keeping source positions, so later phases can point at the line.
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { LabInputError, type Diagnostic, type Path } from './diagnostics.js';

export interface LoadedLab {
  file: string;
  /** The document as plain data, not yet checked. */
  data: unknown;
  /** Position of the value at a path (or of the nearest existing ancestor). */
  locate(path: Path, what?: 'key' | 'value'): { line: number; col: number };
}

export async function loadLabFile(file: string): Promise<LoadedLab> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a lab file' : String((err as Error).message);
    throw new LabInputError([{ file, line: 1, col: 1, severity: 'error', field: '', message: `cannot read the lab file: ${why}` }]);
  }
  return parseLabText(file, text);
}

export function parseLabText(file: string, text: string): LoadedLab {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    diagnostics.push({ file, ...at(e.pos[0]), severity: 'error', field: '', message: yamlMessage(e.code, e.message), hint: yamlHint(e.code, text, e.pos[0]) });
  }
  if (diagnostics.length) throw new LabInputError(diagnostics);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new LabInputError([{ file, line: 1, col: 1, severity: 'error', field: '', message: 'the lab file is empty', hint: 'start from lab/kubernetes-101.lab.yaml' }]);
  }
  if (!isMap(doc.contents)) {
    const pos = at(doc.contents.range?.[0] ?? 0);
    const kind = isSeq(doc.contents) ? 'a list' : 'a single value';
    throw new LabInputError([{ file, ...pos, severity: 'error', field: '', message: `the document is ${kind}, not a mapping`, hint: 'a lab file is a mapping with name, kubernetes, segments, router and nodes' }]);
  }
  return {
    file,
    data: doc.toJS({ maxAliasCount: 100 }),
    locate(path, what = 'value') {
      const node = nodeAt(doc, path, what);
      return at(node?.range?.[0] ?? 0);
    },
  };
}

// Walks the path as far as it exists; a missing field is reported at its parent.
function nodeAt(doc: Document, path: Path, what: 'key' | 'value'): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
      if (!pair) return node;
      if (last && what === 'key') return pair.key as Node;
      if (pair.value === null) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!item) return node;
      node = item;
    } else {
      return node as Node;
    }
  }
  return node as Node;
}

function yamlMessage(code: string, message: string): string {
  // The library's first line is the useful part; the rest is a source excerpt we print ourselves.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax: ${first}`;
}

function yamlHint(code: string, text: string, offset: number): string | undefined {
  if (code === 'DUPLICATE_KEY') return 'each key may appear once in a mapping; remove or rename one';
  if (code === 'TAB_AS_INDENT' || text.slice(Math.max(0, offset - 20), offset + 1).includes('\t')) return 'indent with spaces, not tabs';
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR' || code === 'UNEXPECTED_TOKEN') return 'check the indentation of this line against its siblings';
  return undefined;
}
