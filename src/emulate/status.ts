// What an emulated lab looks like right now, read from state.json and /proc: hosts, their
// addresses, their daemons (alive? listening?), memory, and overall health.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { labNetns } from './down.js';
import { labPaths } from './paths.js';
import { netnsInode, pidsByNetns, procInfo, pssKiB, tcpListeners, type ProcInfo } from './proc.js';
import { hostMemoryBytes } from './cgroups.js';
import { hostAlive, readState, type HostState } from './state.js';

export type Health = 'ok' | 'degraded' | 'down';

export interface DaemonStatus {
  name: string;
  /** Pid seen from the machine (root pid namespace), when running. */
  pid?: number;
  /** Pid inside the host. */
  hostPid?: number;
  alive: boolean;
}

export interface HostStatus {
  name: string;
  kind: HostState['kind'];
  netns: string;
  address: string;
  interfaces: { ifname: string; segment: string; address: string }[];
  health: Health;
  problems: string[];
  initPid?: number;
  daemons: DaemonStatus[];
  /** sshd listening on the address labsmith uses. */
  sshListening: boolean;
  processes: { pid: number; hostPid?: number; comm: string; rssKiB: number; pssKiB: number }[];
  /** Sum of the processes' RSS (counts shared libraries in full for each process). */
  rssKiB: number;
  /** Sum of the processes' PSS (shared pages split among their users): the host's real cost. */
  pssKiB: number;
  /** What the host's cgroup is charged (its processes, containers included, and their page
   * cache and kernel memory), when the machine has a memory controller. */
  cgroupKiB?: number;
}

export interface LabStatus {
  lab: string;
  /** up: every host healthy; degraded: some host is not; down: nothing of the lab exists;
   * partial: leftovers without a finished up (run down). */
  status: 'up' | 'degraded' | 'down' | 'partial';
  stateDir: string;
  phase?: string;
  startedAt?: string;
  readyAt?: string;
  fabric?: string;
  uplink?: { segment: string; cidr: string };
  leftoverNetns: string[];
  hosts: HostStatus[];
}

export async function emulateStatus(labName: string, env?: NodeJS.ProcessEnv): Promise<LabStatus> {
  const paths = labPaths(labName, env);
  const state = await readState(paths.state);
  const found = labNetns(labName);
  if (!state) {
    return { lab: labName, status: found.length ? 'partial' : 'down', stateDir: paths.dir, leftoverNetns: found, hosts: [] };
  }
  const inodes = new Map(state.hosts.map((h) => [h.name, netnsInode(h.netns)]));
  const byNs = await pidsByNetns([...inodes.values()].filter((i): i is number => i !== undefined));
  const hosts = state.hosts.map((h) => {
    const s = hostStatus(h, byNs.get(inodes.get(h.name) ?? -1) ?? [], state.sshPort);
    const bytes = state.cgroups ? hostMemoryBytes(state.cgroups.hierarchies, state.cgroups.base, state.lab, h.name) : undefined;
    return bytes !== undefined ? { ...s, cgroupKiB: Math.round(bytes / 1024) } : s;
  });
  const known = new Set([state.fabric, ...state.hosts.map((h) => h.netns)]);
  const status = state.phase !== 'up' ? 'partial' : hosts.every((h) => h.health === 'ok') ? 'up' : 'degraded';
  return {
    lab: labName,
    status,
    stateDir: paths.dir,
    phase: state.phase,
    startedAt: state.startedAt,
    ...(state.readyAt ? { readyAt: state.readyAt } : {}),
    fabric: state.fabric,
    uplink: { segment: state.uplink.segment, cidr: state.uplink.cidr },
    leftoverNetns: found.filter((n) => !known.has(n)),
    hosts,
  };
}

function hostStatus(h: HostState, pids: number[], port: number): HostStatus {
  const procs = pids.map((p) => procInfo(p)).filter((p): p is ProcInfo => p !== undefined && p.state !== 'Z');
  const byHostPid = new Map(procs.filter((p) => p.nspid.length > 1).map((p) => [p.nspid[p.nspid.length - 1]!, p]));
  const problems: string[] = [];
  const up = hostAlive(h);
  if (netnsInode(h.netns) === undefined) problems.push(`namespace ${h.netns} is missing`);
  else if (!up) problems.push('the host\'s PID 1 is not running');

  const pidFiles: [string, string][] = [['sshd', 'run/sshd.pid']];
  if (h.kind === 'router') pidFiles.push(['zebra', 'run/frr/zebra.pid'], ['staticd', 'run/frr/staticd.pid']);
  const daemons: DaemonStatus[] = pidFiles.map(([name, rel]) => {
    const hostPid = readPid(path.join(h.dir, 'fs', rel));
    const p = hostPid !== undefined ? byHostPid.get(hostPid) : undefined;
    const d: DaemonStatus = { name, alive: p !== undefined, ...(hostPid !== undefined ? { hostPid } : {}), ...(p ? { pid: p.pid } : {}) };
    if (up && !d.alive) problems.push(`${name} is not running`);
    return d;
  });
  const listeners = up && h.initPid ? tcpListeners(h.initPid) : [];
  const sshListening = listeners.includes(`${h.address}:${port}`) || listeners.includes(`0.0.0.0:${port}`);
  if (up && !sshListening) problems.push(`nothing listens on ${h.address}:${port}`);
  const processes = procs.map((p) => ({ pid: p.pid, ...(p.nspid.length > 1 ? { hostPid: p.nspid[p.nspid.length - 1]! } : {}), comm: p.comm, rssKiB: p.rssKiB, pssKiB: pssKiB(p.pid) }));
  return {
    name: h.name,
    kind: h.kind,
    netns: h.netns,
    address: h.address,
    interfaces: h.interfaces.map((i) => ({ ifname: i.ifname, segment: i.segment, address: `${i.address}/${i.prefixLength}` })),
    health: !up ? 'down' : problems.length ? 'degraded' : 'ok',
    problems,
    ...(h.initPid ? { initPid: h.initPid } : {}),
    daemons,
    sshListening,
    processes,
    rssKiB: processes.reduce((a, p) => a + p.rssKiB, 0),
    pssKiB: processes.reduce((a, p) => a + p.pssKiB, 0),
  };
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The status as text; `file` (the lab file as the user named it) makes the hints runnable. */
export function formatStatus(s: LabStatus, file = 'LAB'): string {
  const lines = [`lab ${s.lab}: ${s.status}${s.readyAt ? ` (since ${s.readyAt})` : ''}   state: ${s.stateDir}`];
  if (s.status === 'down') return lines.join('\n') + '\n';
  if (s.status === 'partial') lines.push(`  an up did not finish or left namespaces behind: run labsmith down ${file}`);
  const w = Math.max(4, ...s.hosts.map((h) => h.name.length));
  lines.push(`  ${'host'.padEnd(w)}  ${'kind'.padEnd(7)}  ${'health'.padEnd(8)}  interfaces  daemons  memory (PSS; cgroup)`);
  for (const h of s.hosts) {
    const ds = h.daemons.map((d) => `${d.name}${d.alive ? `:${d.pid}` : ':dead'}`).join(' ');
    const addrs = h.interfaces.map((i) => `${i.ifname}=${i.address}`).join(' ');
    lines.push(`  ${h.name.padEnd(w)}  ${h.kind.padEnd(7)}  ${h.health.padEnd(8)}  ${addrs}  ${ds}  ${(h.pssKiB / 1024).toFixed(1)} MiB${h.cgroupKiB !== undefined ? `; ${(h.cgroupKiB / 1024).toFixed(1)} MiB` : ''}`);
    for (const p of h.problems) lines.push(`  ${''.padEnd(w)}  ! ${p}`);
  }
  for (const n of s.leftoverNetns) lines.push(`  leftover namespace ${n} (labsmith down ${file} removes it)`);
  return lines.join('\n') + '\n';
}
