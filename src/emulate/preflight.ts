// Before emulate changes anything: root, Linux, and every program it runs. A problem stops
// it with exit 2, naming what is missing and the apt-get line that installs it.
import { existsSync, readFileSync } from 'node:fs';
import { packagePath } from '../core/package-root.js';
import { findProgram, isExecutable } from '../core/programs.js';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** Absolute paths of the programs emulate runs, resolved once through PATH. */
export interface Tools {
  ip: string;
  sshd: string;
  sshKeygen: string;
  socat: string;
  unshare: string;
  nsenter: string;
  mount: string;
  bash: string;
  cp: string;
  hostname: string;
  vtysh: string;
  iptables: string;
  ping: string;
  etcd: string;
  dockerd: string;
  setfattr: string;
  /** Directory holding zebra and staticd. */
  frrDir: string;
}

type ProgramKey = Exclude<keyof Tools, 'frrDir'>;

/** Each program emulate needs, and the Debian package that ships it. */
export const PROGRAMS: { key: ProgramKey; name: string; pkg: string }[] = [
  { key: 'ip', name: 'ip', pkg: 'iproute2' },
  { key: 'sshd', name: 'sshd', pkg: 'openssh-server' },
  { key: 'sshKeygen', name: 'ssh-keygen', pkg: 'openssh-client' },
  { key: 'socat', name: 'socat', pkg: 'socat' },
  { key: 'unshare', name: 'unshare', pkg: 'util-linux' },
  { key: 'nsenter', name: 'nsenter', pkg: 'util-linux' },
  { key: 'mount', name: 'mount', pkg: 'mount' },
  { key: 'bash', name: 'bash', pkg: 'bash' },
  { key: 'cp', name: 'cp', pkg: 'coreutils' },
  { key: 'hostname', name: 'hostname', pkg: 'hostname' },
  { key: 'vtysh', name: 'vtysh', pkg: 'frr' },
  { key: 'iptables', name: 'iptables', pkg: 'iptables' },
  { key: 'ping', name: 'ping', pkg: 'iputils-ping' },
  { key: 'etcd', name: 'etcd', pkg: 'etcd-server' },
  { key: 'dockerd', name: 'dockerd', pkg: 'docker.io' },
  { key: 'setfattr', name: 'setfattr', pkg: 'attr' },
];
/** Every host's PID 1. */
export const SYSTEMD = '/lib/systemd/systemd';
const FRR_DAEMONS = ['zebra', 'staticd'];

/** Debian marks these Essential: every installation has them. */
export const ESSENTIAL_PACKAGES = ['mount', 'bash', 'coreutils', 'hostname'];

/** Every package the emulated lab, apply and verify run here: scripts/apt-packages.txt, the
 * one list (setup.sh installs it). */
export function aptPackages(file = packagePath('scripts', 'apt-packages.txt')): string[] {
  return parsePackageList(readFileSync(file, 'utf8'));
}

/** One name a line; '#' starts a comment. */
export function parsePackageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

export interface PreflightInput {
  platform: NodeJS.Platform;
  uid: number;
  /** PATH to search. */
  pathVar: string;
  /** Where zebra and staticd live (LABSMITH_FRR_DIR, default /usr/lib/frr). */
  frrDir: string;
  isExecutable?: (file: string) => boolean;
  /** The systemd binary hosts boot (default /lib/systemd/systemd). */
  systemd?: string;
  /** /etc/passwd text, to check the frr and sshd users exist. */
  passwd?: string;
}

export type PreflightResult = { ok: true; tools: Tools } | { ok: false; problems: string[]; packages: string[] };

export function checkPreflight(input: PreflightInput): PreflightResult {
  const problems: string[] = [];
  const packages = new Set<string>();
  if (input.platform !== 'linux') {
    return { ok: false, problems: [`the emulated lab needs Linux (network namespaces, overlayfs); this is ${input.platform}`], packages: [] };
  }
  if (input.uid !== 0) {
    problems.push(`the emulated lab needs root (namespaces, mounts, interfaces); running as uid ${input.uid}: use sudo`);
  }
  const isExec = input.isExecutable ?? executable;
  const found: Partial<Tools> = { frrDir: input.frrDir };
  for (const p of PROGRAMS) {
    const hit = findProgram(p.name, input.pathVar, isExec);
    if (hit) found[p.key] = hit;
    else {
      problems.push(`${p.name} not found in PATH (package ${p.pkg})`);
      packages.add(p.pkg);
    }
  }
  for (const d of FRR_DAEMONS) {
    const f = path.join(input.frrDir, d);
    if (!isExec(f)) {
      problems.push(`${f} not found (package frr)`);
      packages.add('frr');
    }
  }
  if (!isExec(input.systemd ?? SYSTEMD)) {
    problems.push(`${input.systemd ?? SYSTEMD} not found (package systemd): every emulated host boots it`);
    packages.add('systemd');
  }
  if (input.passwd !== undefined) {
    const users = new Set(input.passwd.split('\n').map((l) => l.split(':')[0]));
    if (!users.has('frr')) {
      problems.push('user frr does not exist (package frr creates it)');
      packages.add('frr');
    }
    if (!users.has('sshd')) {
      problems.push('user sshd does not exist (package openssh-server creates it)');
      packages.add('openssh-server');
    }
  }
  if (problems.length) return { ok: false, problems, packages: [...packages] };
  return { ok: true, tools: found as Tools };
}

function executable(file: string): boolean {
  return isExecutable(file) && existsSync(file);
}

/** Checks this machine; throws a UsageError (exit 2) listing every problem. */
export function preflight(env: NodeJS.ProcessEnv = process.env): Tools {
  let passwd: string | undefined;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    passwd = undefined;
  }
  const result = checkPreflight({
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : -1,
    pathVar: env.PATH ?? '',
    frrDir: env.LABSMITH_FRR_DIR || '/usr/lib/frr',
    ...(passwd !== undefined ? { passwd } : {}),
  });
  if (result.ok) return result.tools;
  throw preflightError(result.problems, result.packages);
}

export function preflightError(problems: string[], packages: string[]): UsageError {
  const lines = problems.map((p) => `  - ${p}`).join('\n');
  const hint = packages.length ? `install with: apt-get install -y ${packages.join(' ')}` : undefined;
  return new UsageError(`cannot build the emulated lab on this machine; nothing was changed:\n${lines}`, hint);
}
