// Shared by the stand-in tests: the rendered command lines of a lab, a binDir holding the
// stand-ins and the lab's release file, and a throwaway docker "node" (test/fixtures/standins/
// sandbox.sh) that the tests enter with nsenter and end by killing its PID 1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { STANDIN_BINARIES, STANDIN_DIR, STANDIN_RELEASE_FILE, standinReleaseJson } from '../../src/emulate/standin-data.js';
import type { Lab } from '../../src/lab/types.js';
import { renderPlaceholder } from '../helpers/golden.js';
import { ROOT } from '../helpers/paths.js';

const run = promisify(execFile);
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'standins');

export interface ExecLine {
  host: string;
  unit: string;
  /** The binary's base name (kube-apiserver, ..., cri-dockerd). */
  binary: string;
  /** The rendered path of the binary and its arguments, split on spaces as systemd does here. */
  path: string;
  args: string[];
}

/** Every ExecStart= of a unit that starts a Kubernetes binary or cri-dockerd. */
export function execLines(lab: Lab): ExecLine[] {
  const out: ExecLine[] = [];
  for (const h of renderPlaceholder(lab)) {
    for (const f of h.files) {
      if (!/^\/etc\/systemd\/system\/.*\.service$/.test(f.path)) continue;
      for (const line of f.content.split('\n')) {
        if (!line.startsWith('ExecStart=')) continue;
        const [bin, ...args] = line.slice('ExecStart='.length).split(' ').filter(Boolean);
        const binary = path.basename(bin!);
        if ((STANDIN_BINARIES as readonly string[]).includes(binary)) out.push({ host: h.host, unit: path.basename(f.path), binary, path: bin!, args });
      }
    }
  }
  return out;
}

/** A directory holding a link to every stand-in and the lab's release file, as installed at binDir. */
export function makeBinDir(lab: Lab, dir = mkdtempSync(path.join(tmpdir(), 'labsmith-standins-bin-'))): string {
  mkdirSync(dir, { recursive: true });
  for (const b of STANDIN_BINARIES) symlinkSync(path.join(ROOT, STANDIN_DIR, b), path.join(dir, b));
  writeFileSync(path.join(dir, STANDIN_RELEASE_FILE), standinReleaseJson(lab));
  return dir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runStandin(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(bin, args, { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs fn over items, at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface Sandbox {
  id: string;
  /** PID 1 of the sandbox's pid namespace, as this machine sees it. */
  pid: number;
  dir: string;
  /** Runs a command inside every namespace of the sandbox and waits for it. */
  exec(argv: string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
  /** Starts a long-running command inside; its output goes to <dir>/<name>.log. */
  start(name: string, argv: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  log(name: string): string;
  /** Kills everything inside and removes the cgroup directories. */
  stop(): Promise<void>;
}

let counter = 0;

/** A private docker "node": dockerd with docker0 at bip, each of addresses on lo. */
export async function startSandbox(tag: string, bip: string, addresses: string[]): Promise<Sandbox> {
  const id = `${process.pid}-${counter++}-${tag}`;
  const dir = mkdtempSync(path.join(tmpdir(), `labsmith-standins-${tag}-`));
  // Its stdin stays open while this process lives: if the test dies, the sandbox ends too.
  const holder = spawn('bash', [path.join(FIXTURES, 'sandbox.sh'), id, bip, ...addresses], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
  holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let pid = 0;
  const stop = async () => {
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    holder.stdin.end();
    if (holder.exitCode === null && holder.signalCode === null) {
      // The holder removes the sandbox's cgroups once PID 1 is gone.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 15_000);
        holder.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // Then nothing may remain (this finds nothing to remove, or says what it could not).
    const r = await runStandin('bash', [path.join(FIXTURES, 'cleanup.sh'), id]);
    rmSync(dir, { recursive: true, force: true });
    if (r.code !== 0) throw new Error(`sandbox ${id} cleanup: ${r.stderr}`);
  };
  try {
    for (let i = 0; i < 400 && !out.includes('ready'); i++) {
      if (holder.exitCode !== null) throw new Error(`sandbox exited ${holder.exitCode}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!out.includes('ready')) throw new Error(`sandbox not ready in 20 s: ${err}`);
    // holder (bash) -> unshare -> PID 1 of the sandbox
    const children = (p: number) => readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).map(Number);
    pid = children(children(holder.pid!)[0]!)[0]!;
    if (!pid) throw new Error('sandbox: no PID 1 found');
  } catch (e) {
    await stop();
    throw e;
  }
  const enter = (argv: string[]) => ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-C', '--', ...argv];
  return {
    id,
    pid,
    dir,
    exec: (argv, env = {}) => runStandin('nsenter', enter(argv), env),
    start: (name, argv, env = {}) => {
      const fd = openSync(path.join(dir, `${name}.log`), 'a');
      return spawn('nsenter', enter(argv), { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    },
    log: (name) => {
      try {
        return readFileSync(path.join(dir, `${name}.log`), 'utf8');
      } catch {
        return '';
      }
    },
    stop,
  };
}

/** Polls check until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The process nsenter started inside the sandbox (its only child), as this machine sees it. */
export async function insidePid(cp: ChildProcess): Promise<number> {
  return waitFor(`the process under nsenter ${cp.pid}`, 5000, async () => {
    const kids = readFileSync(`/proc/${cp.pid}/task/${cp.pid}/children`, 'utf8').trim();
    return kids ? Number(kids.split(/\s+/)[0]) : undefined;
  });
}

/** Stops a process started with Sandbox.start, by its own pid, as systemctl stop would (SIGTERM). */
export async function stopInside(cp: ChildProcess): Promise<void> {
  const pid = await insidePid(cp);
  const exited = new Promise<void>((resolve) => (cp.exitCode !== null ? resolve() : cp.once('exit', () => resolve())));
  process.kill(pid, 'SIGTERM');
  await exited;
}
