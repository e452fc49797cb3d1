// Checks the lab file's shape against the schema and turns every issue into a positioned
// diagnostic, with "did you mean" for misspelt keys and enum values.
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { pathToField, type Diagnostic, type Path } from './diagnostics.js';
import type { LoadedLab } from './load.js';
import { labFileSchema, type LabFile } from './schema.js';

export function checkShape(loaded: LoadedLab): { value?: LabFile; diagnostics: Diagnostic[] } {
  const result = labFileSchema.safeParse(loaded.data);
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path);
      for (const key of issue.keys) {
        const full = [...path, key];
        diagnostics.push({
          file: loaded.file,
          ...loaded.locate(full, 'key'),
          severity: 'error',
          field: pathToField(full),
          message: 'unknown key',
          hint: suggest(key, known) ?? (known.length ? `expected one of ${known.join(', ')}` : undefined),
        });
      }
      continue;
    }
    const present = valueAt(loaded.data, path) !== undefined;
    diagnostics.push({
      file: loaded.file,
      ...loaded.locate(path),
      severity: 'error',
      field: pathToField(path),
      ...describe(issue, present, valueAt(loaded.data, path)),
    });
  }
  return { diagnostics };
}

function describe(issue: z.core.$ZodIssue, present: boolean, value: unknown): { message: string; hint?: string } {
  switch (issue.code) {
    case 'invalid_type':
      if (!present) return { message: 'is required', hint: `add ${String(issue.path.at(-1))}: <${article(issue.expected)}>` };
      return { message: `must be ${article(issue.expected)}, not ${kindOf(value)}` };
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof value === 'string' ? suggest(value, values) : undefined;
      return { message: `must be one of ${values.join(', ')}`, hint: guess };
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return { message: issue.message };
    default:
      return { message: issue.message };
  }
}

function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (!candidates.length) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? `did you mean ${best}?` : undefined;
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
  let schema: z.core.$ZodType | undefined = labFileSchema as unknown as z.core.$ZodType;
  for (const part of path) {
    schema = unwrap(schema);
    const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (!def) return [];
    if (def.type === 'object' && typeof part === 'string') schema = def.shape?.[part];
    else if (def.type === 'array' && typeof part === 'number') schema = def.element;
    else return [];
  }
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).filter((k) => k !== '$schema') : [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  for (;;) {
    const def = s?._zod.def as { type: string; innerType?: z.core.$ZodType } | undefined;
    if (def && (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) s = def.innerType;
    else return s;
  }
}
