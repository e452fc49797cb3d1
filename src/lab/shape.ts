// Checks the lab file's shape against the schema and turns every issue into a positioned
// diagnostic: "did you mean" for misspelt keys and enum values, a misspelt required key as
// one error, and a first line saying so when the document is no lab file at all.
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { byPosition, pathToField, type Diagnostic, type Path } from './diagnostics.js';
import type { LoadedLab } from './load.js';
import { labFileSchema, type LabFile } from './schema.js';
import { unquotedVersion } from './version.js';

export function checkShape(loaded: LoadedLab): { value?: LabFile; diagnostics: Diagnostic[] } {
  const result = labFileSchema.safeParse(loaded.data);
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const at = (path: Path, what: 'key' | 'value' = 'value') => ({ file: loaded.file, ...loaded.locate(path, what), severity: 'error' as const, field: pathToField(path) });

  // Unknown and missing keys are gathered per mapping first: a misspelt required key is one
  // mistake, reported once, at the misspelling.
  const unknown: { parent: Path; key: string }[] = [];
  const missing = new Map<string, { key: string; issue: z.core.$ZodIssue }[]>();
  for (const issue of result.error.issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) unknown.push({ parent: path, key });
      continue;
    }
    const key = path.at(-1);
    const parent = valueAt(loaded.data, path.slice(0, -1));
    if (typeof key === 'string' && isMapping(parent) && !Object.hasOwn(parent, key)) {
      const id = JSON.stringify(path.slice(0, -1));
      missing.set(id, [...(missing.get(id) ?? []), { key, issue }]);
      continue;
    }
    const value = valueAt(loaded.data, path);
    if (pathToField(path) === 'kubernetes.version' && typeof value === 'number') {
      diagnostics.push({ ...at(path), ...unquotedVersion(loaded.sourceAt(path) ?? String(value), value) });
      continue;
    }
    diagnostics.push({ ...at(path), ...describe(issue, value) });
  }

  let paired = 0;
  let strangers = 0;
  for (const { parent, key } of unknown) {
    const full = [...parent, key];
    const candidates = missing.get(JSON.stringify(parent)) ?? [];
    const meant = suggest(key, candidates.map((m) => m.key));
    if (meant) {
      candidates.splice(candidates.findIndex((m) => m.key === meant), 1);
      if (!parent.length) paired++;
      diagnostics.push({ ...at(full, 'key'), message: `missing required key ${JSON.stringify(meant)}`, hint: `did you mean to spell ${JSON.stringify(key)} as ${JSON.stringify(meant)}?` });
      continue;
    }
    if (!parent.length) strangers++;
    const known = knownKeysAt(parent);
    const guess = suggest(key, known);
    const hint = guess ? `did you mean ${guess}?` : known.length ? `expected one of ${known.join(', ')}` : undefined;
    diagnostics.push({ ...at(full, 'key'), message: 'unknown key', ...(hint ? { hint } : {}) });
  }
  // A docker-compose file or a Kubernetes manifest fails every check; say what it is first,
  // in place of a line for each missing top-level key.
  const top = Object.keys(loaded.data as object);
  const required = requiredKeysAt([]);
  const recognised = top.filter((k) => knownKeysAt([]).includes(k)).length + paired;
  const requiredFound = top.filter((k) => required.includes(k)).length + paired;
  const noLab = requiredFound === 0 || strangers > recognised;
  for (const [id, keys] of missing) {
    const parent = JSON.parse(id) as Path;
    if (noLab && !parent.length) continue;
    for (const { key, issue } of keys) diagnostics.push({ ...at([...parent, key]), message: `missing required key ${JSON.stringify(key)}`, hint: `add ${key}: <${expectedOf(issue)}>` });
  }
  diagnostics.sort(byPosition);
  if (noLab) {
    diagnostics.unshift({
      ...at([]),
      message: `this does not look like a labsmith lab file: expected keys ${required.join(', ')}`,
      hint: 'start from lab/kubernetes-101.lab.yaml',
    });
  }
  return { diagnostics };
}

function describe(issue: z.core.$ZodIssue, value: unknown): { message: string; hint?: string } {
  switch (issue.code) {
    case 'invalid_type':
      return { message: `must be ${article(issue.expected)}, not ${kindOf(value)}` };
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof value === 'string' ? suggest(value, values) : undefined;
      return { message: `must be one of ${values.join(', ')}`, ...(guess ? { hint: `did you mean ${guess}?` } : {}) };
    }
    default:
      return { message: issue.message };
  }
}

function expectedOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return article(issue.expected);
  if (issue.code === 'invalid_value') return `one of ${issue.values.map(String).join(', ')}`;
  return 'a value';
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The candidate the word is most likely a misspelling of, if any is close enough. */
function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (!candidates.length) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

function article(type: string): string {
  if (type === 'object' || type === 'record') return 'a mapping';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'the string' : `the ${typeof value}`} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

// The keys the schema allows at a path, found by walking the schema's own definition.
function knownKeysAt(path: Path): string[] {
  return Object.keys(shapeAt(path)).filter((k) => k !== '$schema');
}

/** The keys a mapping at the path must have: neither optional nor defaulted. */
function requiredKeysAt(path: Path): string[] {
  return Object.entries(shapeAt(path))
    .filter(([, s]) => s._zod.optin === undefined)
    .map(([k]) => k);
}

function shapeAt(path: Path): Record<string, z.core.$ZodType> {
  let schema: z.core.$ZodType | undefined = labFileSchema as unknown as z.core.$ZodType;
  for (const part of path) {
    schema = unwrap(schema);
    const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (!def) return {};
    if (def.type === 'object' && typeof part === 'string') schema = def.shape?.[part];
    else if (def.type === 'array' && typeof part === 'number') schema = def.element;
    else return {};
  }
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> } | undefined;
  return def?.type === 'object' && def.shape ? def.shape : {};
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  for (;;) {
    const def = s?._zod.def as { type: string; innerType?: z.core.$ZodType } | undefined;
    if (def && (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) s = def.innerType;
    else return s;
  }
}
