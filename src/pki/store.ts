// The PKI on disk: `.labsmith/<lab>/pki/` beside the lab file, the directory 0700 and every
// file 0600 (certificates too: the directory is labsmith's, not something to share).
// Writes are atomic (a temporary file renamed over the old one), and a lock file keeps two
// labsmith runs from generating at once and mixing two CAs' certificates.
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Lab } from '../lab/types.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** `<directory of the lab file>/.labsmith/<lab>/pki` */
export function pkiDir(lab: Lab): string {
  return path.join(path.dirname(path.resolve(lab.file)), '.labsmith', lab.name, 'pki');
}

const LOCK = '.lock';
const isPkiFile = (f: string) => /\.(crt|key|pub|kubeconfig)$/.test(f);

/** Every PKI file in the directory, by file name; empty when there is no directory. */
export async function readStore(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const f of names.filter(isPkiFile).sort()) out.set(f, await readFile(path.join(dir, f), 'utf8'));
  return out;
}

export async function makeStoreDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
}

export async function writeStoreFile(dir: string, file: string, content: string): Promise<void> {
  const tmp = path.join(dir, `.${file}.tmp-${process.pid}`);
  const h = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, FILE_MODE);
  try {
    await h.chmod(FILE_MODE);
    await h.writeFile(content);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path.join(dir, file));
}

export async function removeStoreFile(dir: string, file: string): Promise<void> {
  await rm(path.join(dir, file), { force: true });
}

/** Brings modes that someone loosened back to 0600. */
export async function tightenModes(dir: string): Promise<void> {
  await chmod(dir, DIR_MODE);
  for (const f of (await readdir(dir)).filter(isPkiFile)) {
    const p = path.join(dir, f);
    if (((await stat(p)).mode & 0o777) !== FILE_MODE) await chmod(p, FILE_MODE);
  }
}

/**
 * Runs `fn` holding the directory's lock file (created exclusively, holding our pid). A
 * lock whose process is gone is taken over; a live one is waited for, up to `timeoutMs`.
 */
export async function withStoreLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lock = path.join(dir, LOCK);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const h = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
      await h.writeFile(String(process.pid));
      await h.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      // A lock without a pid yet is being taken right now, unless it is old.
      const fresh = !holder && Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? 0) < 5_000;
      if (!fresh && (!holder || !alive(holder))) {
        // Its process is gone: remove and retry; a racing taker loses on O_EXCL.
        await unlink(lock).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder || '(unknown)'}: another labsmith is generating this lab's PKI`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
