// How failures leave the process: bad input and usage exit 2 with a message and no
// stack trace; a host or a check that failed exits 1.
import { formatDiagnostic, LabInputError } from '../lab/diagnostics.js';

import { EXIT, UsageError } from '../core/errors.js';

export { EXIT, UsageError };

export function reportFatal(err: unknown): number {
  if (err instanceof LabInputError) {
    for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    const n = err.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`${n} error${n === 1 ? '' : 's'}\n`);
    return EXIT.badInput;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`labsmith: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
    return EXIT.badInput;
  }
  const e = err as Error;
  process.stderr.write(`labsmith: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.LABSMITH_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.failed;
}
