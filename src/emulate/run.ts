// Local commands, built from argument lists (zx quotes every element).
import { $ } from 'zx';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(argv: string[], opts: { input?: string } = {}): Promise<RunResult> {
  const out = await $({ quiet: true, nothrow: true, ...(opts.input !== undefined ? { input: opts.input } : {}) })`${argv}`;
  return { code: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr };
}

export class CommandError extends Error {
  constructor(readonly argv: string[], readonly result: RunResult) {
    super(`${argv.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'CommandError';
  }
}

/** Runs argv and throws CommandError unless it exits 0. */
export async function must(argv: string[], opts: { input?: string } = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new CommandError(argv, r);
  return r;
}

/** Maps with at most `limit` calls in flight; results in input order. Rejects on the first
 * failure after letting the calls in flight finish. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.error;
  return results;
}
