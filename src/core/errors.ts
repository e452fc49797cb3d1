// Errors every phase may raise, kept below the phases so that none of them imports the
// command line. The CLI maps them to exit codes (src/cli/errors.ts).

/** Wrong use of the command line or of the environment, reported like bad input (exit 2). */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;
