// Atomic file replacement over SFTP. The content goes to a temporary name in the target's
// directory (`.<name>.labsmith-tmp-<hex>`, mode 0600 while it is written), is fsynced, gets its
// mode and owner, the old file is hard-linked to `<path>.labsmith.bak` when a backup is
// asked for, and the temporary file is renamed over the target (posix-rename@openssh.com, or
// one `mv -f` when the server lacks it). An upload killed at any point leaves the target
// untouched, plus at most a temporary file, which cleanupTemps() removes on a later run.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { RemoteError } from './errors.js';
import type { ExecOptions, ExecResult, RemoteCounters } from './types.js';

/** What an upload needs of a connected host: UploadHost provides it; this module does not
 * depend on the connection's implementation. */
export interface UploadHost {
  readonly name: string;
  readonly counters: RemoteCounters;
  readonly lostReason: RemoteError | undefined;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
  resolveIds(owner?: string | number, group?: string | number): Promise<{ uid?: number; gid?: number }>;
  countSent(bytes: number): void;
}

export const TEMP_INFIX = '.labsmith-tmp-';
export const BACKUP_SUFFIX = '.labsmith.bak';
const TEMP_NAME = /^\..+\.labsmith-tmp-[0-9a-f]{12}$/;

/** Is this file name (no directory) a temporary file labsmith left? */
export function isLabsmithTemp(name: string): boolean {
  return TEMP_NAME.test(name);
}

export function tempPathFor(target: string): string {
  const base = path.posix.basename(target).slice(0, 200);
  return path.posix.join(path.posix.dirname(target), `.${base}${TEMP_INFIX}${randomBytes(6).toString('hex')}`);
}

export function backupPathFor(target: string): string {
  return `${target}${BACKUP_SUFFIX}`;
}

export interface WriteFileOptions {
  /** Permission bits, e.g. 0o644 or '0644'. */
  mode: number | string;
  /** Name or numeric id; names are resolved on the host (one command per new name, cached). */
  owner?: string | number;
  group?: string | number;
  /** Keep the replaced file as `<path>.labsmith.bak`. */
  backup?: boolean;
  /** Create missing parent directories (mode 0755). */
  makeDirs?: boolean;
}

export interface WriteFileResult {
  path: string;
  bytes: number;
  /** Set when a previous file was kept. */
  backupPath?: string;
}

const SFTP_NO_SUCH_FILE = 2;
const CHUNK = 32 * 1024;
const WINDOW = 32;

type SftpError = Error & { code?: number | string };

function call<T>(fn: (cb: (err: SftpError | undefined | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

function parseMode(mode: number | string): number {
  const n = typeof mode === 'number' ? mode : parseInt(mode, 8);
  if (!Number.isInteger(n) || n < 0 || n > 0o7777) throw new RangeError(`invalid file mode ${String(mode)}`);
  return n;
}

async function lstatOrUndefined(sftp: SFTPWrapper, p: string): Promise<Stats | undefined> {
  try {
    return await call<Stats>((cb) => sftp.lstat(p, cb));
  } catch (err) {
    if ((err as SftpError).code === SFTP_NO_SUCH_FILE) return undefined;
    throw err;
  }
}

async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  if (dir === '/' || dir === '.' || (await lstatOrUndefined(sftp, dir))) return;
  await mkdirs(sftp, path.posix.dirname(dir));
  try {
    await call<void>((cb) => sftp.mkdir(dir, { mode: 0o755 }, cb));
  } catch (err) {
    if (!(await lstatOrUndefined(sftp, dir))) throw err; // lost a race to another writer: fine
  }
}

function writeAll(sftp: SFTPWrapper, handle: Buffer, data: Buffer, onChunk: (n: number) => void): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inflight = 0;
    let failed = false;
    const pump = () => {
      while (!failed && inflight < WINDOW && next < data.length) {
        const off = next;
        const len = Math.min(CHUNK, data.length - off);
        next += len;
        inflight++;
        sftp.write(handle, data, off, len, off, (err) => {
          inflight--;
          if (failed) return;
          if (err) {
            failed = true;
            reject(err);
            return;
          }
          onChunk(len);
          if (next >= data.length && inflight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
}

function supports(sftp: SFTPWrapper, ext: string): boolean {
  const exts = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return exts?.[ext] === '1';
}

export async function writeFileAtomic(
  host: UploadHost,
  target: string,
  content: Buffer | string,
  options: WriteFileOptions,
): Promise<WriteFileResult> {
  if (!path.posix.isAbsolute(target)) throw new TypeError(`writeFileAtomic needs an absolute path, got ${target}`);
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  const mode = parseMode(options.mode);
  const ids = options.owner !== undefined || options.group !== undefined ? await host.resolveIds(options.owner, options.group) : {};
  const sftp = await host.sftp();
  const tmp = tempPathFor(target);
  let step = 'create a temporary file';
  let handle: Buffer | undefined;
  let tmpExists = false;
  try {
    try {
      handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
    } catch (err) {
      if (!options.makeDirs || (err as SftpError).code !== SFTP_NO_SUCH_FILE) throw err;
      step = 'create the parent directories';
      await mkdirs(sftp, path.posix.dirname(target));
      step = 'create a temporary file';
      handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
    }
    tmpExists = true;
    step = 'upload';
    await writeAll(sftp, handle, data, (n) => host.countSent(n));
    step = 'set the mode';
    await call<void>((cb) => sftp.fchmod(handle!, mode, cb));
    if (ids.uid !== undefined || ids.gid !== undefined) {
      step = 'set the owner';
      const st = await call<Stats>((cb) => sftp.fstat(handle!, cb));
      await call<void>((cb) => sftp.fchown(handle!, ids.uid ?? st.uid, ids.gid ?? st.gid, cb));
    }
    if (supports(sftp, 'fsync@openssh.com')) {
      step = 'fsync';
      await call<unknown>((cb) => sftp.ext_openssh_fsync(handle!, cb));
    }
    step = 'close the temporary file';
    const h = handle;
    handle = undefined;
    await call<void>((cb) => sftp.close(h, cb));

    let backupPath: string | undefined;
    if (options.backup) {
      step = 'keep a backup';
      const old = await lstatOrUndefined(sftp, target);
      if (old && old.isFile()) {
        backupPath = backupPathFor(target);
        await keepBackup(host, sftp, target, backupPath);
      }
    }
    step = 'rename over the target';
    await renameOver(host, sftp, tmp, target);
    tmpExists = false;
    host.counters.uploads++;
    return { path: target, bytes: data.length, ...(backupPath ? { backupPath } : {}) };
  } catch (err) {
    if (handle) sftp.close(handle, () => {});
    if (tmpExists && !host.lostReason) sftp.unlink(tmp, () => {}); // best effort; cleanupTemps() catches the rest
    if (err instanceof RemoteError) throw err;
    throw new RemoteError(host.lostReason ? 'connect' : 'command', host.name, `writing ${target} failed at "${step}": ${(err as Error).message}`, { cause: err });
  }
}

async function keepBackup(host: UploadHost, sftp: SFTPWrapper, target: string, backup: string): Promise<void> {
  if (supports(sftp, 'hardlink@openssh.com')) {
    try {
      await call<void>((cb) => sftp.unlink(backup, cb));
    } catch (err) {
      if ((err as SftpError).code !== SFTP_NO_SUCH_FILE) throw err;
    }
    await call<void>((cb) => sftp.ext_openssh_hardlink(target, backup, cb));
    return;
  }
  const r = await host.exec(['ln', '-f', '--', target, backup]);
  if (r.code !== 0) throw new Error(`ln -f: ${r.stderr.toString('utf8').trim()}`);
}

async function renameOver(host: UploadHost, sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  if (supports(sftp, 'posix-rename@openssh.com')) {
    await call<void>((cb) => sftp.ext_openssh_rename(from, to, cb));
    return;
  }
  // Plain SFTP rename fails when the target exists; mv uses rename(2), which replaces atomically.
  const r = await host.exec(['mv', '-f', '--', from, to]);
  if (r.code !== 0) throw new Error(`mv -f: ${r.stderr.toString('utf8').trim()}`);
}

/** Remove temporary files a killed upload left in `dir`. Returns the removed paths. */
export async function cleanupTemps(host: UploadHost, dir: string): Promise<string[]> {
  const sftp = await host.sftp();
  let names: string[];
  try {
    names = (await call<{ filename: string }[]>((cb) => sftp.readdir(dir, cb))).map((e) => e.filename);
  } catch (err) {
    if ((err as SftpError).code === SFTP_NO_SUCH_FILE) return [];
    throw new RemoteError('command', host.name, `cannot list ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const removed: string[] = [];
  for (const name of names.filter(isLabsmithTemp)) {
    const p = path.posix.join(dir, name);
    await call<void>((cb) => sftp.unlink(p, cb));
    removed.push(p);
  }
  return removed;
}
