// How failures leave the process: bad input and usage exit 2 with a message and no
// stack trace; a host or a check that failed exits 1.
import { formatReport, LabInputError } from '../lab/diagnostics.js';

import { EXIT, UsageError } from '../core/errors.js';

export { EXIT, UsageError };

export function reportFatal(err: unknown): number {
  if (err instanceof LabInputError) {
    process.stderr.write(formatReport(err.diagnostics).join('\n') + '\n');
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
