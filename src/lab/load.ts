// Parses a lab file keeping source positions, so later phases can point at the line.
// The data comes from js-yaml, about ten times faster on a 10,000-node lab; the positioned
// document (yaml's, which also words syntax errors better) is built only when something
// has to be pointed at.
import { readFile } from 'node:fs/promises';
import { CORE_SCHEMA, load as fastLoad } from 'js-yaml';
import type { Document, LineCounter, Node, YAMLError } from 'yaml';
import { lazyRequire } from '../core/lazy.js';
import { LabInputError, pathToField, type Diagnostic, type Path } from './diagnostics.js';

// yaml's positioned parser is loaded only when something must be pointed at.
const yaml = lazyRequire<typeof import('yaml')>('yaml');

export interface LoadedLab {
  file: string;
  /** The document as plain data, not yet checked. */
  data: unknown;
  /** Position of the value at a path (or of the nearest existing ancestor). */
  locate(path: Path, what?: 'key' | 'value'): { line: number; col: number };
  /** The text a scalar was written as (1.10 where the data holds 1.1), if the path exists. */
  sourceAt(path: Path): string | undefined;
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
  let data: unknown;
  let fastError: unknown;
  try {
    data = fastLoad(text, { schema: CORE_SCHEMA, filename: file });
  } catch (err) {
    fastError = err;
  }
  let positioned: { doc: Document; lineCounter: LineCounter } | undefined;
  const document = () => {
    if (!positioned) {
      const lineCounter = new (yaml().LineCounter)();
      positioned = { doc: yaml().parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true }), lineCounter };
    }
    return positioned;
  };
  const at = (offset: number) => {
    const p = document().lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (fastError !== undefined) {
    const { doc } = document();
    const diagnostics: Diagnostic[] = doc.errors.map((e) => duplicateKey(doc, e, file, at) ?? { file, ...at(e.pos[0]), severity: 'error' as const, field: '', message: yamlMessage(e.message), ...hintOf(yamlHint(e.code, text, e.pos[0])) });
    if (!diagnostics.length) {
      // The two parsers disagree; js-yaml's own position is the best we have.
      const mark = (fastError as { mark?: { line: number; column: number } }).mark;
      const reason = (fastError as { reason?: string }).reason ?? String(fastError);
      diagnostics.push({ file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, severity: 'error', field: '', message: `YAML syntax: ${reason}` });
    }
    throw new LabInputError(diagnostics);
  }
  if (data === null || data === undefined) {
    throw new LabInputError([{ file, line: 1, col: 1, severity: 'error', field: '', message: 'the lab file is empty', hint: 'start from lab/kubernetes-101.lab.yaml' }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    const pos = at(document().doc.contents?.range?.[0] ?? 0);
    const kind = Array.isArray(data) ? 'a list' : 'a single value';
    throw new LabInputError([{ file, ...pos, severity: 'error', field: '', message: `the document is ${kind}, not a mapping`, hint: 'a lab file is a mapping with name, kubernetes, segments, router and nodes' }]);
  }
  return {
    file,
    data,
    locate(path, what = 'value') {
      const node = nodeAt(document().doc, path, what);
      return at(node?.range?.[0] ?? 0);
    },
    sourceAt(path) {
      const node = nodeAt(document().doc, path, 'value', true);
      return yaml().isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    },
  };
}

// yaml reports a duplicate key at the duplicate; the message gains the key, its field and
// the line of the key it repeats.
function duplicateKey(doc: Document, e: YAMLError, file: string, at: (offset: number) => { line: number; col: number }): Diagnostic | undefined {
  if (e.code !== 'DUPLICATE_KEY') return undefined;
  const found = keyAt(doc.contents, e.pos[0], []);
  if (!found) return undefined;
  const first = found.siblings.find((p) => yaml().isScalar(p.key) && yaml().isScalar(found.key) && p.key.value === found.key.value && p.key !== found.key);
  const name = yaml().isScalar(found.key) ? String(found.key.value) : '';
  const here = at(e.pos[0]);
  const there = first && yaml().isScalar(first.key) && first.key.range ? at(first.key.range[0]) : undefined;
  // Two keys of one flow mapping share a line; the column tells them apart.
  const where = !there ? '' : there.line === here.line ? ` (first at line ${there.line}, column ${there.col})` : ` (first at line ${there.line})`;
  return { file, ...here, severity: 'error', field: pathToField(found.path), message: `duplicate key ${JSON.stringify(name)}${where}`, hint: 'each key may appear once in a mapping; remove or rename one' };
}

interface PairLike { key: unknown; value: unknown }

function keyAt(node: unknown, offset: number, path: (string | number)[]): { key: unknown; siblings: PairLike[]; path: Path } | undefined {
  if (yaml().isMap(node)) {
    const pairs = node.items as PairLike[];
    for (const pair of pairs) {
      const key = pair.key as Node | null;
      const name = yaml().isScalar(key) ? String(key.value) : '?';
      if (key?.range?.[0] === offset) return { key, siblings: pairs, path: [...path, name] };
      const inner = keyAt(pair.value, offset, [...path, name]);
      if (inner) return inner;
    }
  } else if (yaml().isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const inner = keyAt(node.items[i], offset, [...path, i]);
      if (inner) return inner;
    }
  }
  return undefined;
}

const hintOf = (hint: string | undefined) => (hint ? { hint } : {});

// Walks the path as far as it exists; a missing field is reported at its parent, unless
// exact, when it is undefined.
function nodeAt(doc: Document, path: Path, what: 'key' | 'value', exact = false): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => yaml().isPair(p) && yaml().isScalar(p.key) && p.key.value === part);
      if (!pair) return exact ? undefined : node;
      if (last && what === 'key') return pair.key as Node;
      if (pair.value === null) return exact ? undefined : (pair.key as Node);
      node = pair.value;
    } else if (yaml().isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!item) return exact ? undefined : node;
      node = item;
    } else {
      return exact ? undefined : (node as Node);
    }
  }
  return node as Node;
}

function yamlMessage(message: string): string {
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
