// What runs in a lab's namespaces, read from /proc without spawning anything: the
// processes whose network namespace is one of the lab's (what `ip netns pids` prints), their
// pids inside the host's pid namespace, memory, and listening TCP sockets.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  /** Pids from the outermost to the innermost pid namespace (NSpid). */
  nspid: number[];
  ppid: number;
  comm: string;
  /** VmRSS in KiB (0 for kernel threads and zombies). */
  rssKiB: number;
  state: string;
}

/** Inode of a named network namespace (/run/netns/<name>), or undefined when it does not exist. */
export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}

export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** Pids of every process whose network namespace is one of `inodes`, keyed by inode. */
export async function pidsByNetns(inodes: Iterable<number>): Promise<Map<number, number[]>> {
  const wanted = new Set(inodes);
  const out = new Map<number, number[]>();
  if (!wanted.size) return out;
  const pids = await allPids();
  await Promise.all(
    pids.map(async (pid) => {
      let link: string;
      try {
        link = await readlink(`/proc/${pid}/ns/net`);
      } catch {
        return;
      }
      const m = /^net:\[(\d+)\]$/.exec(link);
      const ino = m ? Number(m[1]) : NaN;
      if (!wanted.has(ino)) return;
      const list = out.get(ino) ?? [];
      list.push(pid);
      out.set(ino, list);
    }),
  );
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

export async function allPids(): Promise<number[]> {
  const names = await readdir('/proc');
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Pids whose command line (NULs shown as spaces) satisfies `match`. */
export async function pidsWhere(match: (cmdline: string) => boolean): Promise<number[]> {
  const self = process.pid;
  const found: number[] = [];
  await Promise.all(
    (await allPids()).map(async (pid) => {
      if (pid === self) return;
      try {
        if (match((await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' '))) found.push(pid);
      } catch {
        /* gone */
      }
    }),
  );
  return found.sort((a, b) => a - b);
}

export function procInfo(pid: number): ProcInfo | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    pid,
    nspid: field('NSpid').split(/\s+/).filter(Boolean).map(Number),
    ppid: Number(field('PPid')),
    comm: field('Name'),
    rssKiB: Number(/^(\d+)/.exec(field('VmRSS'))?.[1] ?? 0),
    state: field('State').charAt(0),
  };
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  const info = procInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

export function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The namespace of `pid` of the given kind, as "net:[4026532...]". */
export function nsOf(pid: number, kind: 'net' | 'mnt' | 'pid' | 'uts'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** Listening TCP sockets of the network namespace `pid` lives in: "addr:port". */
export function tcpListeners(pid: number): string[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/tcp`, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [hexAddr, hexPort] = f[1]!.split(':') as [string, string];
    const n = parseInt(hexAddr, 16);
    // /proc/net/tcp prints the address as a little-endian 32-bit number.
    const addr = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
    out.push(`${addr}:${parseInt(hexPort, 16)}`);
  }
  return out;
}

/** Sends SIGKILL, ignoring processes already gone. */
export function killHard(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Proportional set size in KiB (shared pages divided among their users), 0 when unknown. */
export function pssKiB(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
