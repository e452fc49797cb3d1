// Output paths are checked before any work: a report that cannot be written is found before
// the probes run, not after (exit 2, naming the path and the reason).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** A file labsmith will create or replace (--junit FILE). */
export function checkOutputFile(file: string, option: string): void {
  const st = statOrUndefined(file);
  if (st?.isDirectory()) throw new UsageError(`${option} ${file}: is a directory, not a file`, `name a file, e.g. ${path.join(file, 'report.xml')}`);
  if (st && !st.isFile()) throw new UsageError(`${option} ${file}: is not a regular file`, 'name a file labsmith may create or replace');
  const dir = path.dirname(path.resolve(file));
  const parent = statOrUndefined(dir);
  if (!parent) throw new UsageError(`${option} ${file}: the directory ${dir} does not exist`, `create it first (mkdir -p ${dir}) or name a file in an existing directory`);
  if (!parent.isDirectory()) throw new UsageError(`${option} ${file}: ${dir} is not a directory`, 'name a file in an existing directory');
  if (!writable(st ? file : dir)) throw new UsageError(`${option} ${file}: not writable`, `check the permissions of ${st ? file : dir}`);
}

/** A directory labsmith will create if needed and write into (render -o DIR). */
export function checkOutputDir(dir: string, option: string): void {
  const abs = path.resolve(dir);
  let cur = abs;
  // The nearest part of the path that exists must be a writable directory.
  for (;;) {
    const st = statOrUndefined(cur);
    if (st) {
      if (!st.isDirectory()) {
        throw new UsageError(`${option} ${dir}: ${cur === abs ? 'is' : `${cur} is`} not a directory`, 'name a directory (it is created if missing)');
      }
      if (!writable(cur)) throw new UsageError(`${option} ${dir}: ${cur} is not writable`, `check the permissions of ${cur}`);
      return;
    }
    const up = path.dirname(cur);
    if (up === cur) return;
    cur = up;
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
