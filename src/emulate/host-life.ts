// One emulated host's life: started as its own holder process (ip netns exec ... unshare ...
// host-init.sh), stopped by ending everything in its namespaces. up builds and reconciles
// with these; down tears the whole lab down with the same kill loop.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { children, killHard, netnsInode, pidsByNetns } from './proc.js';
import { cgroupPids, hostCgroupDir, makeHostCgroups, removeCgroupTree } from './cgroups.js';
import { hostDir, hostLaunchScript, type LabPaths } from './paths.js';
import type { EmuState, HostState } from './state.js';
import type { EmuHost } from './topology.js';
import { mapLimit, must, run } from './run.js';
import type { Tools } from './preflight.js';

const READY_TIMEOUT_MS = 60_000;

/** The host's cgroup directories, one per hierarchy. */
export function hostCgroupDirs(state: Pick<EmuState, 'cgroups' | 'lab'>, host: string): string[] {
  return state.cgroups.hierarchies.map((h) => hostCgroupDir(h, state.cgroups.base, state.lab, host));
}

/** Starts the host: its cgroups made, the holder launched into them, and once its init has
 * handed over to systemd ("booting" on fd 3), waits for `systemctl is-system-running` to say
 * running or degraded. Records the holder's and the host PID 1's pids (saved before and
 * after, so down finds them after a crash). */
export async function startHost(tools: Tools, state: Pick<EmuState, 'cgroups' | 'lab'>, scripts: { launch: string }, h: HostState, save: () => Promise<void>): Promise<void> {
  const cgroupDirs = await makeHostCgroups(state.cgroups.hierarchies, state.cgroups.base, state.lab, h.name);
  const logFile = path.join(h.dir, 'init.log');
  const fh = await open(logFile, 'a', 0o600);
  const argv = [scripts.launch, h.dir, h.netns, ...cgroupDirs];
  let child;
  try {
    child = spawn(tools.bash, argv, {
      detached: true,
      stdio: ['ignore', fh.fd, fh.fd, 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/root', LS_IP: tools.ip, LS_UNSHARE: tools.unshare, LS_BASH: tools.bash },
    });
  } finally {
    await fh.close();
  }
  const holder = child.pid;
  if (!holder) throw new Error(`${h.name}: could not start ${tools.bash} ${argv.join(' ')}`);
  h.holderPid = holder;
  await save();

  let ended: string | undefined;
  child.on('exit', (code, signal) => {
    ended = `the host ended (${signal ?? `exit ${code}`})`;
  });
  const ready = child.stdio[3] as NodeJS.ReadableStream;
  const message = await new Promise<string>((resolve) => {
    let text = '';
    const done = (m: string) => {
      clearTimeout(timer);
      resolve(m);
    };
    const timer = setTimeout(() => done(`error: its init said nothing in ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    // One line: "booting" as the init execs systemd, or "error: ...". (The holder keeps its
    // copy of fd 3 open, so its end does not mark the hand-over.)
    ready.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) done(text.trim());
    });
    ready.on('end', () => done(text.trim() || 'error: the host ended before it was ready'));
    ready.on('error', () => done('error: lost the host'));
  });
  (ready as unknown as { destroy(): void }).destroy();
  child.unref();
  const failWith = async (why: string) => {
    const tail = async (f: string) => readFile(path.join(h.dir, f), 'utf8').then((t) => t.trim().split('\n').slice(-8).join('\n    ')).catch(() => '');
    const logs = [await tail('init.log'), await tail('console.log')].filter(Boolean).join('\n    ');
    throw new Error(`${h.name}: ${why}${logs ? `\n    ${logs}` : ''}`);
  };
  if (message !== 'booting') return failWith(message.replace(/^error: /, ''));
  for (let i = 0; i < 100 && !h.initPid; i++) {
    h.initPid = children(holder)[0];
    if (!h.initPid) await new Promise((r) => setTimeout(r, 10));
  }
  if (!h.initPid) return failWith(`cannot find the host's PID 1 (child of ${holder})`);
  await save();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // sshd's pid file (in the host's /run, which is fs/run here) comes near the end of the boot:
  // watched for without spawning anything, before systemctl is asked.
  const sshdPid = path.join(h.dir, 'fs', 'run', 'sshd.pid');
  while (!existsSync(sshdPid) && !ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 15));
  for (let delay = 0; ; delay = Math.min(Math.max(delay * 2, 20), 250)) {
    await new Promise((r) => setTimeout(r, delay));
    if (ended) return failWith(ended);
    const r = await run([tools.nsenter, '-t', String(h.initPid), '-m', '--', 'systemctl', 'is-system-running']);
    const stateNow = r.stdout.trim();
    if (stateNow === 'running' || stateNow === 'degraded') {
      h.bootedAt = new Date().toISOString();
      return save();
    }
    // "offline": its manager does not answer yet.
    if (['maintenance', 'stopping'].includes(stateNow)) return failWith(`its systemd is ${stateNow}`);
    if (Date.now() > deadline) return failWith(`its systemd is still ${stateNow || r.stderr.trim() || 'silent'} after ${READY_TIMEOUT_MS / 1000} s`);
  }
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

/** Ends hosts of a running lab: their processes (those in their namespaces, and every one in
 * their cgroups: containers included), namespaces with their veths, cgroups and files. */
export async function stopHosts(tools: Tools, state: Pick<EmuState, 'cgroups' | 'lab'>, hosts: HostState[]): Promise<void> {
  if (!hosts.length) return;
  const names = hosts.map((h) => h.netns).filter((n) => netnsInode(n) !== undefined);
  const inodes = names.map((n) => netnsInode(n)!);
  const dirs = hosts.flatMap((h) => hostCgroupDirs(state, h.name));
  await killAll(`hosts ${hosts.map((h) => h.name).join(', ')}`, inodes, async () => dirs.flatMap((d) => cgroupPids(d)));
  if (names.length) await must([tools.ip, '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join('') });
  await removeCgroups(dirs);
  await Promise.all(hosts.map((h) => rm(h.dir, { recursive: true, force: true, maxRetries: 5 })));
}

/** Removes cgroup trees; a directory whose last process is still exiting is retried. */
export async function removeCgroups(dirs: string[]): Promise<void> {
  for (let round = 0; ; round++) {
    const left = dirs.filter((d) => !removeCgroupTree(d));
    if (!left.length) return;
    if (round >= 100) throw new Error(`cannot remove cgroups ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const HOST_MOUNTS = ['/etc (overlay)', '/dev (tmpfs)', '/proc/sys (read-only but net)', '/sys (read-only)', '/sys/fs/cgroup (the host\'s own)', '/opt', '/root', '/tmp', '/run', '/var', '/ (read-only)'];

export function hostStateOf(paths: LabPaths, h: EmuHost): HostState {
  return { ...h, dir: hostDir(paths, h.name), mounts: HOST_MOUNTS };
}

/** Starts prepared hosts, `concurrency` at a time. */
export async function startHosts(
  tools: Tools,
  state: Pick<EmuState, 'cgroups' | 'lab'>,
  hosts: HostState[],
  concurrency: number,
  save: () => Promise<void>,
  opts: { onHostReady?: (h: HostState) => void },
  log: (l: string) => void,
): Promise<void> {
  const scripts = { launch: hostLaunchScript() };
  await mapLimit(hosts, concurrency, async (h) => {
    await startHost(tools, state, scripts, h, save);
    log(`${h.name}: up (${h.kind}, ${h.address})`);
    opts.onHostReady?.(h);
  });
}

