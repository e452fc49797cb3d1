// Each emulated host boots systemd in a cgroup namespace of its own, rooted at
// <hierarchy>/labsmith/<lab>/<host> in every cgroup hierarchy of this machine. This file reads
// the machine's layout (pure parsers plus thin readers), makes and removes those directories,
// and says where emulation cannot work rather than half-starting.
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { UsageError } from '../core/errors.js';

export interface Hierarchy {
  /** Where the machine mounts it: /sys/fs/cgroup/memory, /sys/fs/cgroup/unified, /sys/fs/cgroup. */
  mount: string;
  /** Its name under /sys/fs/cgroup inside a host ('' for a pure v2 machine's single tree). */
  name: string;
  version: 1 | 2;
  /** The -o options that mount the same hierarchy: "memory", "none,name=systemd", "". */
  options: string;
}

export type Layout = { kind: 'hybrid' | 'legacy' | 'unified'; hierarchies: Hierarchy[] };

const ROOT = '/sys/fs/cgroup';

/** The cgroup hierarchies in a mountinfo text (under /sys/fs/cgroup). */
export function parseCgroupMounts(mountinfo: string): Layout {
  const hierarchies: Hierarchy[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = left.split(' ')[4] ?? '';
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    if (point !== ROOT && !point.startsWith(`${ROOT}/`)) continue;
    const opts = superOpts.split(',').filter((o) => !['rw', 'ro', 'nosuid', 'nodev', 'noexec', 'relatime', 'clone_children', 'nsdelegate', 'memory_recursiveprot', 'favordynmods'].includes(o) && !o.startsWith('release_agent='));
    const version = fstype === 'cgroup2' ? 2 : 1;
    const options = version === 2 ? '' : opts.some((o) => o.startsWith('name=')) && !opts.includes('none') && opts.length === 1 ? `none,${opts[0]}` : opts.join(',');
    hierarchies.push({ mount: point, name: point === ROOT ? '' : path.basename(point), version, options });
  }
  const v1 = hierarchies.some((h) => h.version === 1);
  const v2 = hierarchies.find((h) => h.version === 2);
  const kind = v2 && !v1 && v2.mount === ROOT ? 'unified' : v1 && v2 ? 'hybrid' : 'legacy';
  return { kind, hierarchies };
}

export function machineLayout(): Layout {
  return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The cgroup (relative path) this process is in on a pure v2 machine: "0::/path". */
export function ownV2Cgroup(procSelfCgroup: string): string | undefined {
  return /^0::(\/.*)$/m.exec(procSelfCgroup)?.[1];
}

/** Where the lab's cgroups go, or why there is no such place. A hybrid or v1 machine without
 * systemd is this project's test machine; on a machine systemd runs, labsmith must itself run
 * in a delegated unit (systemd-run --scope -p Delegate=yes), whose cgroup it may divide. */
export function cgroupBase(layout: Layout, pid1: string, delegated: (dir: string) => boolean, ownCgroup: string | undefined): { base: string } | { problem: string } {
  const hint = 'run labsmith inside a delegated scope: systemd-run --scope -p Delegate=yes labsmith ...';
  if (!layout.hierarchies.length) return { problem: 'no cgroup hierarchy is mounted under /sys/fs/cgroup: the hosts\' systemd needs one' };
  if (layout.kind === 'unified') {
    if (!ownCgroup) return { problem: 'cannot read this process\'s cgroup (/proc/self/cgroup)' };
    const dir = path.join(ROOT, ownCgroup);
    if (pid1 === 'systemd' && !delegated(dir)) {
      return { problem: `this machine runs systemd on a pure cgroup v2 tree, and labsmith's cgroup ${ownCgroup} is not delegated to it: ${hint}` };
    }
    return { base: path.join(ownCgroup, 'labsmith') };
  }
  if (pid1 === 'systemd') return { problem: `systemd owns this machine's ${layout.kind} cgroup v1 layout, which it does not delegate: boot with a pure cgroup v2 tree (systemd.unified_cgroup_hierarchy=1) and ${hint}` };
  if (!layout.hierarchies.some((h) => h.options.includes('name=systemd') || h.version === 2)) {
    return { problem: 'neither a name=systemd hierarchy nor cgroup2 is mounted: the hosts\' systemd needs one of them' };
  }
  return { base: '/labsmith' };
}

/** A lab's directory in one hierarchy. */
export const labCgroupDir = (h: Hierarchy, base: string, lab: string): string => path.join(h.mount, base, lab);
export const hostCgroupDir = (h: Hierarchy, base: string, lab: string, host: string): string => path.join(labCgroupDir(h, base, lab), host);

/** Makes the host's directory in every hierarchy (cpuset needs its cpus and mems copied down
 * each level before a process may join). Returns the directories. */
export async function makeHostCgroups(hierarchies: Hierarchy[], base: string, lab: string, host: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const h of hierarchies) {
    const dir = hostCgroupDir(h, base, lab, host);
    if (h.options.split(',').includes('cpuset')) {
      let parent = h.mount;
      for (const part of path.relative(h.mount, dir).split('/')) {
        const child = path.join(parent, part);
        await mkdir(child).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          // cgroup files are no regular files: copied by reading and writing.
          if ((await readFile(path.join(child, f), 'utf8')).trim() === '') await writeFile(path.join(child, f), await readFile(path.join(parent, f), 'utf8'));
        }
        parent = child;
      }
    } else {
      await mkdir(dir, { recursive: true });
    }
    dirs.push(dir);
  }
  return dirs;
}

/** Pids in a cgroup directory and every one below it. */
export function cgroupPids(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    let text = '';
    try {
      text = readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
    } catch {
      return;
    }
    for (const l of text.split('\n')) if (l) out.push(Number(l));
    for (const e of readdirSafe(d)) if (isDir(path.join(d, e))) walk(path.join(d, e));
  };
  walk(dir);
  return out;
}

/** Removes a cgroup directory and every one below it (deepest first); true when gone. */
export function removeCgroupTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  for (const e of readdirSafe(dir)) {
    const sub = path.join(dir, e);
    if (isDir(sub)) removeCgroupTree(sub);
  }
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/** Removes `dir` only when empty (the labsmith and labsmith/<lab> levels other labs share). */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* in use by another lab, or gone */
  }
}

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Memory charged to a host's cgroup (v1 memory.usage_in_bytes, v2 memory.current), bytes. */
export function hostMemoryBytes(hierarchies: Hierarchy[], base: string, lab: string, host: string): number | undefined {
  for (const h of hierarchies) {
    const dir = hostCgroupDir(h, base, lab, host);
    for (const f of h.version === 1 ? ['memory.usage_in_bytes'] : ['memory.current']) {
      try {
        return Number(readFileSync(path.join(dir, f), 'utf8').trim());
      } catch {
        /* not this hierarchy */
      }
    }
  }
  return undefined;
}

/** The layout and base the lab's hosts use on this machine; a UsageError (exit 2) saying why
 * where systemd cannot be booted in a host without touching the machine. */
export function hostCgroups(): { base: string; hierarchies: Hierarchy[] } {
  const layout = machineLayout();
  let pid1 = '';
  try {
    pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    /* unknown */
  }
  let own: string | undefined;
  try {
    own = ownV2Cgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    own = undefined;
  }
  const r = cgroupBase(layout, pid1, delegatedDir, own);
  if ('problem' in r) throw new UsageError(`cannot boot systemd in the emulated hosts on this machine; nothing was changed: ${r.problem}`);
  return { base: r.base, hierarchies: layout.hierarchies };
}

/** systemd marks a cgroup it delegates with the trusted.delegate (or user.delegate) xattr. */
function delegatedDir(dir: string): boolean {
  for (const name of ['trusted.delegate', 'user.delegate']) {
    const r = spawnSync('getfattr', ['--only-values', '-n', name, dir], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '1') return true;
  }
  return false;
}

/** LS_CGROUPS for host-init: name:options of each hierarchy ("unified:cgroup2"; a pure v2
 * machine's single tree is ":cgroup2", mounted on /sys/fs/cgroup itself). */
export function cgroupMountSpecs(hierarchies: Hierarchy[]): string[] {
  return hierarchies.map((h) => `${h.name}:${h.version === 2 ? 'cgroup2' : h.options}`);
}
