// One emulated host's life: started as its own holder process (ip netns exec ... unshare ...
// host-init.sh), stopped by ending everything in its namespaces. up builds and reconciles
// with these; down tears the whole lab down with the same kill loop.
import { spawn } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { children, killHard, netnsInode, pidsByNetns } from './proc.js';
import { hostDir, hostInitScript, type LabPaths } from './paths.js';
import type { HostState } from './state.js';
import type { EmuHost } from './topology.js';
import { mapLimit, must } from './run.js';
import type { Tools } from './preflight.js';

const READY_TIMEOUT_MS = 30_000;

/** Starts the host and waits until its init says ready on fd 3; records the holder's and the
 * host PID 1's pids (saved before and after, so down finds them after a crash). */
export async function startHost(tools: Tools, script: string, h: HostState, save: () => Promise<void>): Promise<void> {
  const logFile = path.join(h.dir, 'init.log');
  const fh = await open(logFile, 'a', 0o600);
  const argv = ['netns', 'exec', h.netns, tools.unshare, '--mount', '--uts', '--ipc', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--', tools.bash, script, h.dir];
  let child;
  try {
    child = spawn(tools.ip, argv, {
      detached: true,
      stdio: ['ignore', fh.fd, fh.fd, 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/root' },
    });
  } finally {
    await fh.close();
  }
  const holder = child.pid;
  if (!holder) throw new Error(`${h.name}: could not start ${tools.ip} ${argv.join(' ')}`);
  h.holderPid = holder;
  await save();

  const ready = child.stdio[3] as NodeJS.ReadableStream;
  const message = await new Promise<string>((resolve) => {
    let text = '';
    const done = (m: string) => {
      clearTimeout(timer);
      resolve(m);
    };
    const timer = setTimeout(() => done(`error: not ready after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    ready.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) done(text.trim());
    });
    ready.on('end', () => done(text.trim() || 'error: the host ended before it was ready'));
    ready.on('error', () => done('error: lost the host'));
    child.on('exit', (code, signal) => done(text.trim() || `error: the host ended (${signal ?? `exit ${code}`}) before it was ready`));
  });
  (ready as unknown as { destroy(): void }).destroy();
  child.unref();
  if (message !== 'ready') {
    const tail = await readFile(logFile, 'utf8').then((t) => t.trim().split('\n').slice(-8).join('\n    ')).catch(() => '');
    throw new Error(`${h.name}: ${message.replace(/^error: /, '')}${tail ? `\n    ${tail}` : ''}`);
  }
  for (let i = 0; i < 50 && !h.initPid; i++) {
    h.initPid = children(holder)[0];
    if (!h.initPid) await new Promise((r) => setTimeout(r, 10));
  }
  if (!h.initPid) throw new Error(`${h.name}: cannot find the host's PID 1 (child of ${holder})`);
  await save();
}

/** SIGKILL to every process in the given network namespaces (and to those `extra` finds),
 * until none is left; returns the pids ended. */
export async function killAll(what: string, inodes: number[], extra: () => Promise<number[]> = async () => []): Promise<Set<number>> {
  const killed = new Set<number>();
  for (let round = 0; ; round++) {
    const byNs = await pidsByNetns(inodes);
    const pids = new Set<number>([...byNs.values()].flat());
    for (const p of await extra()) pids.add(p);
    if (!pids.size) break;
    if (round >= 100) throw new Error(`processes of ${what} would not end: ${[...pids].join(' ')}`);
    for (const p of pids) if (killHard(p)) killed.add(p);
    await new Promise((r) => setTimeout(r, round < 10 ? 20 : 100));
  }
  return killed;
}

/** Ends hosts of a running lab (their processes, namespaces with their veths, and files). */
export async function stopHosts(tools: Tools, hosts: HostState[]): Promise<void> {
  if (!hosts.length) return;
  const names = hosts.map((h) => h.netns).filter((n) => netnsInode(n) !== undefined);
  const inodes = names.map((n) => netnsInode(n)!);
  await killAll(`hosts ${hosts.map((h) => h.name).join(', ')}`, inodes);
  if (names.length) await must([tools.ip, '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join('') });
  await Promise.all(hosts.map((h) => rm(h.dir, { recursive: true, force: true, maxRetries: 5 })));
}

export const HOST_MOUNTS = ['/etc (overlay)', '/opt', '/root', '/tmp', '/run', '/var', '/dev/shm (tmpfs)', '/ (read-only)'];

export function hostStateOf(paths: LabPaths, h: EmuHost): HostState {
  return { ...h, dir: hostDir(paths, h.name), mounts: HOST_MOUNTS };
}

/** Starts prepared hosts, `concurrency` at a time. */
export async function startHosts(tools: Tools, hosts: HostState[], concurrency: number, save: () => Promise<void>, opts: { onHostReady?: (h: HostState) => void }, log: (l: string) => void): Promise<void> {
  const script = hostInitScript();
  await mapLimit(hosts, concurrency, async (h) => {
    await startHost(tools, script, h, save);
    log(`${h.name}: up (${h.kind}, ${h.address})`);
    opts.onHostReady?.(h);
  });
}

