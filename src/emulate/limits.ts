// Kernel limits the emulated hosts share with the whole machine. Each host's systemd holds
// three inotify instances (cgroup events, /etc/localtime, its own /run), all charged to root,
// whose fs.inotify.max_user_instances (128 on Debian) then caps how many hosts can boot at
// once. labsmith never raises a machine's sysctl: it says so before it starts anything.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

export const INOTIFY_PER_HOST = 3;

/** Inotify instances root holds now (every process running as uid 0). */
export function rootInotifyInstances(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!/^Uid:\s+0\s/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') n++;
        } catch {
          /* closed meanwhile */
        }
      }
    } catch {
      /* gone */
    }
  }
  return n;
}

/** The problem with booting `hosts` more hosts, or undefined when they fit. */
export function inotifyProblem(hosts: number, inUse: number, max: number): string | undefined {
  const need = hosts * INOTIFY_PER_HOST;
  if (inUse + need <= max) return undefined;
  const fits = Math.max(0, Math.floor((max - inUse) / INOTIFY_PER_HOST));
  return (
    `${hosts} hosts need ${need} inotify instances (${INOTIFY_PER_HOST} for each host's systemd), and root has ${max - inUse} of ` +
    `fs.inotify.max_user_instances=${max} left (${inUse} in use): ${fits} more hosts fit. Raise it on this machine ` +
    `(sysctl -w fs.inotify.max_user_instances=${Math.max(512, 2 ** Math.ceil(Math.log2(inUse + need + 64)))}) or emulate a smaller lab`
  );
}

/** Throws a UsageError (exit 2, nothing changed) when `hosts` more hosts cannot boot here. */
export function checkHostLimits(hosts: number): void {
  if (hosts <= 0) return;
  let max: number;
  try {
    max = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim());
  } catch {
    return;
  }
  const problem = inotifyProblem(hosts, rootInotifyInstances(), max);
  if (problem) throw new UsageError(`cannot boot the emulated hosts; nothing was changed: ${problem}`);
}
