// Tear an emulated lab down: every process in its namespaces (and any host still starting),
// then the namespaces (bridges and veths go with them), then the runtime files. Works from
// state.json and from what it finds by name, so it also undoes an up that was killed
// halfway, and does nothing harmful when run twice.
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock } from './lock.js';
import { labPaths, type LabPaths } from './paths.js';
import { cgroupPids, hostCgroups, labCgroupDir, removeIfEmpty } from './cgroups.js';
import { killAll, removeCgroups } from './host-life.js';
import { listNetns, netnsInode, pidsWhere } from './proc.js';
import { run } from './run.js';
import { readState } from './state.js';
import { fabricNetns, hostNetnsPrefix } from './topology.js';

export interface DownResult {
  lab: string;
  /** Anything was there to remove. */
  found: boolean;
  killed: number;
  netns: string[];
  unmounted: string[];
  removed: string[];
  ms: number;
}

export async function emulateDown(labName: string, opts: { ip?: string; env?: NodeJS.ProcessEnv } = {}): Promise<DownResult> {
  const paths = labPaths(labName, opts.env);
  const release = await acquireLock(paths, labName);
  try {
    return await teardown(labName, paths, opts.ip ?? 'ip');
  } finally {
    await release();
    // A lab that never had keys leaves no empty directory behind.
    await rmdir(paths.dir).catch(() => undefined);
  }
}

/** The lab's namespaces: those state.json names and those found by name. */
export function labNetns(labName: string, recorded: string[] = []): string[] {
  const fabric = fabricNetns(labName);
  const prefix = hostNetnsPrefix(labName);
  const existing = listNetns().filter((n) => n === fabric || n.startsWith(prefix));
  return [...new Set([...recorded, ...existing])];
}

export async function teardown(labName: string, paths: LabPaths, ip: string): Promise<DownResult> {
  const t0 = performance.now();
  const state = await readState(paths.state);
  const recorded = state ? [state.fabric, ...state.hosts.map((h) => h.netns)] : [];
  const names = labNetns(labName, recorded).filter((n) => netnsInode(n) !== undefined);

  // Kill until nothing is left: processes in the lab's namespaces (sshd, FRR, sessions,
  // proxies, the hosts' PID 1s), and what a killed up left running outside them (a host
  // still starting, before it enters its namespace; ssh-keygen; the /etc copy).
  // The lab's cgroups hold every process of its hosts, containers included.
  const cgroups = state?.cgroups ?? currentCgroups();
  const labDirs = cgroups ? cgroups.hierarchies.map((h) => labCgroupDir(h, cgroups.base, labName)) : [];
  const inodes = names.map((n) => netnsInode(n)).filter((i): i is number => i !== undefined);
  const killed = await killAll(`lab ${labName}`, inodes, async () => [...(await pidsWhere((cmd) => isUpHelper(cmd, paths.dir))), ...labDirs.flatMap((d) => cgroupPids(d))]);

  if (names.length) {
    await run([ip, '-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join('') });
  }
  const left = names.filter((n) => netnsInode(n) !== undefined);
  if (left.length) throw new Error(`could not delete namespaces ${left.join(', ')}`);

  const cgroupsLeft = labDirs.filter((d) => existsSync(d));
  await removeCgroups(labDirs);
  if (cgroups) for (const h of cgroups.hierarchies) removeIfEmpty(path.join(h.mount, cgroups.base));

  // Host mounts live in the hosts' own mount namespaces and ended with them; anything a
  // crash left in this namespace under the state directory is detached here.
  const unmounted: string[] = [];
  const stray = mountsOf(`lsm-run-${labName}`).filter((m) => !m.startsWith(`${paths.dir}/`));
  for (const m of [...mountsUnder(paths.dir).reverse(), ...stray]) {
    const r = await run(['umount', '-l', m]);
    if (r.code === 0) unmounted.push(m);
  }

  const removed: string[] = [];
  const temps = (await readdir(paths.dir).catch(() => [] as string[])).filter((f) => f.startsWith('state.json.') && f.endsWith('.tmp'));
  for (const f of [paths.run, paths.state, ...temps.map((t) => path.join(paths.dir, t))]) {
    if (!existsSync(f)) continue;
    await rm(f, { recursive: true, force: true, maxRetries: 5 });
    removed.push(f);
  }
  return {
    lab: labName,
    found: killed.size > 0 || names.length > 0 || removed.length > 0 || unmounted.length > 0 || cgroupsLeft.length > 0,
    killed: killed.size,
    netns: names,
    unmounted,
    removed,
    ms: performance.now() - t0,
  };
}

/** Mount points at or below `dir` in this process's mount namespace. */
export function mountsUnder(dir: string): string[] {
  return mountTable()
    .map((m) => m.point)
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** Mount points whose source is `source` (up's runtime tmpfs is lsm-run-<lab>, so down finds
 * it even when run with another LABSMITH_STATE_DIR). */
export function mountsOf(source: string): string[] {
  return mountTable()
    .filter((m) => m.source === source)
    .map((m) => m.point);
}

function mountTable(): { point: string; source: string }[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right] = line.split(' - ');
      return { point: unescape(left?.split(' ')[4] ?? ''), source: unescape(right?.split(' ')[1] ?? '') };
    });
}

/** A process up starts outside the hosts' namespaces, recognised by its command line: the
 * program, and the lab's state directory among its arguments. */
export function isUpHelper(cmdline: string, labDir: string): boolean {
  if (!cmdline.includes(`${labDir}/`)) return false;
  return cmdline.includes('host-init.sh') || cmdline.includes('host-launch.sh') || cmdline.includes('ssh-keygen') || / -a \/etc /.test(cmdline);
}

/** Where this machine puts labs' cgroups, for a lab without state (an up killed before its
 * first write); none where emulation cannot run. */
function currentCgroups(): { base: string; hierarchies: import('./cgroups.js').Hierarchy[] } | undefined {
  try {
    return hostCgroups();
  } catch {
    return undefined;
  }
}
