// One labsmith at a time per lab: a lock file holding the pid of the labsmith that works on
// it. A lock whose process is gone (an up that was killed) is taken over.
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import type { LabPaths } from './paths.js';
import { alive } from './proc.js';

export async function acquireLock(paths: LabPaths, lab: string): Promise<() => Promise<void>> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(paths.lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        await unlink(paths.lock).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(paths.lock, 'utf8').catch(() => '')).trim());
    if (holder && holder !== process.pid && alive(holder)) {
      throw new UsageError(`another labsmith (pid ${holder}) is working on lab ${lab}`, `wait for it, or end it; lock file ${paths.lock}`);
    }
    await unlink(paths.lock).catch(() => undefined);
  }
  throw new UsageError(`could not lock lab ${lab} (${paths.lock})`);
}
