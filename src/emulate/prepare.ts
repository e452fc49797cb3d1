// Per-host runtime directories, written before the host starts: the upper layer of its
// /etc (hostname, hosts, sshd config and host key, FRR files on the router) and its private
// /opt /var /root /tmp /run, with the skeleton the daemons need.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CRI_DOCKERD_PATH, dockerdPath } from '../render/flags.js';
import type { OsFamily } from '../lab/schema.js';
import { frrConf, frrDaemons, hostEnvFile, hostNetBatch, hostsFile, machineId, OPAQUE_WANTS, sshdConfig, unitSet, unlockRoot, VTYSH_CONF } from './files.js';

/** Debian's docker.io: the dockerd every emulated host runs. */
const DEBIAN_DOCKERD = '/usr/sbin/dockerd';
import type { Lab } from '../lab/types.js';
import { ensureKeys } from './keys.js';
import { hostKeyPath, type LabPaths } from './paths.js';
import type { Tools } from './preflight.js';
import { must } from './run.js';
import type { EmuHost } from './topology.js';

export interface Owner {
  uid: number;
  gid: number;
}

export interface PrepareContext {
  paths: LabPaths;
  sshd: string;
  frrDir: string;
  sshPort: number;
  frr: Owner;
  /** Mode and owner of /etc directories the upper layer holds (ssh, frr). */
  etcDirs: Record<string, { mode: number; uid: number; gid: number }>;
  /** The lab's shadow file with root unlocked, when the machine's has root locked. */
  shadow?: { text: string; mode: number; uid: number; gid: number };
  authorizedKey: string;
  /** LS_CGROUPS entries: the hierarchies a host mounts inside its cgroup namespace. */
  cgroupMounts: string[];
  /** The etcd user, for /var/lib/etcd (package state the private /var would lack). */
  etcd?: Owner;
  /** What a node finds at the lab's binDir: etcd, and the Kubernetes stand-ins. */
  binaries: [string, string][];
  /** Makes the host's machine-id. */
  random: () => Buffer;
}

/** Private directories of a host: a path below one of them lives in the host's fs/. */
const PRIVATE = ['/opt/', '/var/', '/root/'];

/** Copies the machine's /etc into the lab's snapshot, minus the machine's private host keys. */
export async function snapshotEtc(cp: string, etcLower: string): Promise<void> {
  await rm(etcLower, { recursive: true, force: true });
  await mkdir(path.dirname(etcLower), { recursive: true });
  await must([cp, '-a', '/etc', etcLower]);
  const sshDir = path.join(etcLower, 'ssh');
  for (const f of await readdir(sshDir).catch(() => [] as string[])) {
    if (/^ssh_host_.*_key(\.pub)?$/.test(f)) await rm(path.join(sshDir, f), { force: true });
  }
}

export function lookupOwner(passwd: string, group: string, user: string): Owner | undefined {
  const u = passwd.split('\n').find((l) => l.split(':')[0] === user)?.split(':');
  if (!u) return undefined;
  const g = group.split('\n').find((l) => l.split(':')[0] === user)?.split(':');
  return { uid: Number(u[2]), gid: Number(g?.[2] ?? u[3]) };
}

export async function shadowFor(etc: string): Promise<PrepareContext['shadow']> {
  const file = path.join(etc, 'shadow');
  try {
    const text = await readFile(file, 'utf8');
    const unlocked = unlockRoot(text);
    if (unlocked === undefined) return undefined;
    const st = await stat(file);
    return { text: unlocked, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return undefined;
  }
}

// The fewest system calls: the umask (022 or wider) only ever removes group/other write
// and the special bits, so chmod runs only for modes it would spoil; chown only for owners
// other than root (who runs this).
const UMASK = process.umask();
const needsChmod = (mode: number) => (mode & (UMASK | 0o7000)) !== 0;
const needsChown = (owner?: Owner) => owner !== undefined && (owner.uid !== 0 || owner.gid !== 0);

async function dir(p: string, mode: number, owner?: Owner): Promise<void> {
  await mkdir(p, { mode });
  if (needsChmod(mode)) await chmod(p, mode);
  if (needsChown(owner)) await chown(p, owner!.uid, owner!.gid);
}

async function file(p: string, content: string, mode: number, owner?: Owner): Promise<void> {
  await writeFile(p, content, { mode });
  if (needsChmod(mode)) await chmod(p, mode);
  if (needsChown(owner)) await chown(p, owner!.uid, owner!.gid);
}

/** A directory in the upper layer of /etc with the lower one's mode and owner (an overlay
 * shows the upper directory's attributes). */
async function upperDir(ctx: PrepareContext, upper: string, rel: string): Promise<void> {
  const st = ctx.etcDirs[rel];
  await dir(path.join(upper, rel), st ? st.mode : 0o755, st);
}

/** Mode and owner of the machine's /etc/<rel> directories (the snapshot copies them as they are). */
export async function etcDirAttributes(rels: string[]): Promise<PrepareContext['etcDirs']> {
  const out: PrepareContext['etcDirs'] = {};
  for (const rel of rels) {
    try {
      const st = await lstat(path.join('/etc', rel));
      if (st.isDirectory()) out[rel] = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    } catch {
      /* absent: created 755 root */
    }
  }
  return out;
}

export async function prepareHost(ctx: PrepareContext, host: EmuHost, hostDirPath: string): Promise<void> {
  const upper = path.join(hostDirPath, 'etc.upper');
  const fs = path.join(hostDirPath, 'fs');
  await rm(hostDirPath, { recursive: true, force: true });
  await mkdir(path.dirname(hostDirPath), { recursive: true, mode: 0o700 });
  await mkdir(hostDirPath, { mode: 0o700 });
  await dir(path.join(hostDirPath, 'etc.work'), 0o700);
  await dir(upper, 0o755);

  // /etc
  await file(path.join(upper, 'hostname'), `${host.name}\n`, 0o644);
  await file(path.join(upper, 'hosts'), hostsFile(host), 0o644);
  await upperDir(ctx, upper, 'ssh');
  await file(path.join(upper, 'ssh', 'sshd_config'), sshdConfig(host, ctx.sshPort), 0o644);
  // copyFile keeps the source's mode: 600 for the key, 644 for the public half.
  await copyFile(hostKeyPath(ctx.paths, host.name), path.join(upper, 'ssh', 'ssh_host_ed25519_key'));
  await copyFile(`${hostKeyPath(ctx.paths, host.name)}.pub`, path.join(upper, 'ssh', 'ssh_host_ed25519_key.pub'));
  // ssh.service starts sshd with $SSHD_OPTS: its log stays in a file of its own, as before.
  await upperDir(ctx, upper, 'default');
  await file(path.join(upper, 'default', 'ssh'), 'SSHD_OPTS="-E /var/log/sshd.log"\n', 0o644);
  if (ctx.shadow) await file(path.join(upper, 'shadow'), ctx.shadow.text, ctx.shadow.mode, ctx.shadow);

  // Private directories.
  await dir(fs, 0o755);
  await dir(path.join(fs, 'opt'), 0o755);
  await dir(path.join(fs, 'root'), 0o700);
  await dir(path.join(fs, 'root', '.ssh'), 0o700);
  await file(path.join(fs, 'root', '.ssh', 'authorized_keys'), ctx.authorizedKey, 0o600);
  await dir(path.join(fs, 'tmp'), 0o1777);
  await dir(path.join(fs, 'run'), 0o755);
  await dir(path.join(fs, 'run', 'sshd'), 0o755);
  await dir(path.join(fs, 'run', 'lock'), 0o1777);
  await dir(path.join(fs, 'var'), 0o755);
  for (const d of ['log', 'lib', 'cache', 'spool', 'empty', 'backups', 'local', 'mail', 'opt']) await dir(path.join(fs, 'var', d), 0o755);
  await dir(path.join(fs, 'var', 'tmp'), 0o1777);
  await symlink('/run', path.join(fs, 'var', 'run'));
  await symlink('/run/lock', path.join(fs, 'var', 'lock'));

  if (host.kind === 'router') {
    await upperDir(ctx, upper, 'frr');
    await file(path.join(upper, 'frr', 'frr.conf'), frrConf(host), 0o640, ctx.frr);
    await file(path.join(upper, 'frr', 'daemons'), frrDaemons(), 0o640, ctx.frr);
    await file(path.join(upper, 'frr', 'vtysh.conf'), VTYSH_CONF, 0o640, ctx.frr);
    await dir(path.join(fs, 'run', 'frr'), 0o755, ctx.frr);
    await dir(path.join(fs, 'var', 'log', 'frr'), 0o755, ctx.frr);
    await dir(path.join(fs, 'var', 'lib', 'frr'), 0o755, ctx.frr);
    await dir(path.join(fs, 'var', 'tmp', 'frr'), 0o755, ctx.frr);
  }

  // systemd: a machine-id of its own, the unit set (opaque .wants are set by the caller, in one
  // setfattr for every host).
  await file(path.join(upper, 'machine-id'), machineId(ctx.random), 0o444);
  const units = unitSet(host);
  await upperDir(ctx, upper, 'systemd');
  await upperDir(ctx, upper, 'systemd/system');
  const unitDir = path.join(upper, 'systemd', 'system');
  for (const d of units.opaque) await dir(path.join(unitDir, d), 0o755);
  for (const [name, target] of units.links) await symlink(target, path.join(unitDir, name));

  let usrBin = false;
  if (host.kind === 'node' && host.binDir && host.os) {
    await dir(path.join(fs, 'var', 'lib', 'etcd'), 0o700, ctx.etcd);
    // binDir inside a private directory gets etcd and the stand-ins as links.
    if (PRIVATE.some((p) => host.binDir!.startsWith(p))) {
      const bin = path.join(fs, host.binDir.slice(1));
      await mkdir(bin, { recursive: true, mode: 0o755 });
      for (const [name, target] of ctx.binaries) await symlink(target, path.join(bin, name));
    }
    // Programs the units name in /usr/bin that this Debian machine keeps elsewhere or not at
    // all: the OS family's dockerd (docker-ce's on CentOS 7), cri-dockerd (its packages' place)
    // when a stand-in plays it. An overlay of the host's /usr/bin holds the links.
    const links = usrBinLinks(host.os as OsFamily, ctx.binaries);
    if (links.length) {
      await dir(path.join(hostDirPath, 'usrbin.upper'), 0o755);
      await dir(path.join(hostDirPath, 'usrbin.work'), 0o700);
      for (const [name, target] of links) await symlink(target, path.join(hostDirPath, 'usrbin.upper', name));
      usrBin = true;
    }
  }

  await file(
    path.join(hostDirPath, 'host.env'),
    hostEnvFile(host, { name: host.name, labDir: ctx.paths.dir, etcLower: ctx.paths.etcLower, sshd: ctx.sshd, frrDir: ctx.frrDir, cgroups: ctx.cgroupMounts, usrBin }),
    0o600,
  );
  await file(path.join(hostDirPath, 'net.batch'), hostNetBatch(host), 0o600);
}

/** What prepareHost needs for every host of the lab (keys generated for `hosts` first). */
export async function prepareContext(lab: Lab, paths: LabPaths, tools: Tools, hosts: EmuHost[], concurrency: number, cgroupMounts: string[]): Promise<PrepareContext> {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  const frr = lookupOwner(passwd, group, 'frr');
  if (!frr) throw new Error('user frr not found in /etc/passwd (is the frr package installed?)');
  const etcd = lookupOwner(passwd, group, 'etcd');
  const [, shadow, etcDirs] = await Promise.all([
    ensureKeys(tools.sshKeygen, paths, lab.name, hosts, concurrency),
    shadowFor('/etc'),
    etcDirAttributes(['ssh', 'frr', 'systemd', 'systemd/system', 'default']),
  ]);
  return {
    cgroupMounts,
    ...(etcd ? { etcd } : {}),
    // The Kubernetes stand-ins (scripts/standins/) join etcd here once the emulated lab gives
    // them what they read (their release file, the master's cluster data) and verify probes
    // from the pods their kubelet runs: until then the kube units find no binary (203/EXEC).
    binaries: [['etcd', tools.etcd]],
    random: () => randomBytes(16),
    paths,
    sshd: tools.sshd,
    frrDir: tools.frrDir,
    sshPort: lab.ssh.port,
    frr,
    etcDirs,
    ...(shadow ? { shadow } : {}),
    authorizedKey: await readFile(paths.keyPub, 'utf8'),
  };
}


/** Makes every prepared host's .wants directories opaque (one setfattr for all): the host's
 * systemd sees its own links there, not the machine's. */
export async function markOpaque(setfattr: string, hostDirs: string[]): Promise<void> {
  const dirs = hostDirs.flatMap((d) => OPAQUE_WANTS.map((w) => path.join(d, 'etc.upper', 'systemd', 'system', w)));
  if (dirs.length) await must([setfattr, '-n', 'trusted.overlay.opaque', '-v', 'y', ...dirs]);
}

/** Links a node's /usr/bin overlay holds: [name, target]. */
export function usrBinLinks(os: OsFamily, binaries: [string, string][]): [string, string][] {
  const out: [string, string][] = [];
  const dockerd = dockerdPath(os);
  if (dockerd !== DEBIAN_DOCKERD && path.dirname(dockerd) === '/usr/bin') out.push([path.basename(dockerd), DEBIAN_DOCKERD]);
  const cri = binaries.find(([name]) => name === path.basename(CRI_DOCKERD_PATH));
  if (cri) out.push([path.basename(CRI_DOCKERD_PATH), cri[1]]);
  return out;
}
