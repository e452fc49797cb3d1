// Finding programs on PATH: one search for the preflights and for the emulated targets.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of NAME in the PATH given, or undefined. */
export function findProgram(name: string, pathVar: string, isExec: (f: string) => boolean = isExecutable): string | undefined {
  const hit = pathVar
    .split(':')
    .filter((d) => d !== '')
    .map((d) => path.join(d, name))
    .find((f) => isExec(f));
  return hit ? path.resolve(hit) : undefined;
}
