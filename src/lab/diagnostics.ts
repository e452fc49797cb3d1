// Diagnostics carry a source position so every complaint reads FILE:LINE:COL. A phase
// collects all of its diagnostics and throws them together at its boundary.
import { plural } from '../core/text.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  /** Dotted path of the field, such as nodes[1].podCidr; empty for the document. */
  field: string;
  message: string;
  /** How to fix it, when we can tell. */
  hint?: string;
}

/** Thrown at a phase boundary when the phase found errors. The CLI maps it to exit 2. */
export class LabInputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(formatReport(diagnostics.filter((d) => d.severity === 'error')).join('\n'));
    this.name = 'LabInputError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.field ? `${d.field}: ` : '';
  const hint = d.hint ? `; ${d.hint}` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${where}${d.message}${hint}`;
}

/** How many diagnostics a report shows; a file that is no lab at all would give dozens. */
export const REPORT_LIMIT = 20;

/**
 * The lines a person reads: the first diagnostics, how many more were left out, and the
 * count of errors (all of them, shown or not).
 */
export function formatReport(diagnostics: readonly Diagnostic[], limit = REPORT_LIMIT): string[] {
  const lines = diagnostics.slice(0, limit).map(formatDiagnostic);
  const rest = diagnostics.slice(limit);
  if (rest.length) {
    const errors = rest.filter((d) => d.severity === 'error').length;
    const warnings = rest.length - errors;
    const more = [errors ? plural(errors, 'more error') : '', warnings ? plural(warnings, 'more warning') : ''].filter(Boolean);
    lines.push(`... and ${more.join(' and ')}`);
  }
  lines.push(plural(diagnostics.filter((d) => d.severity === 'error').length, 'error'));
  return lines;
}

export type Path = readonly (string | number)[];

export function pathToField(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** Sorts by position so the output reads top to bottom like the file. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.col - b.col;
}
