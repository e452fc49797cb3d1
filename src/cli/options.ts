// Option parsers shared by every command, so one option reads and complains the same way
// everywhere.
import { InvalidArgumentError } from 'commander';

/** --concurrency N: hosts worked on at once. */
export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--concurrency wants a whole number of 1 or more, not "${value}"`);
  return n;
}

export const CONCURRENCY_HELP = 'hosts worked on at once';
