// Shared by the emulate end-to-end tests: a private state dir and a uniquely named copy of
// an example lab per test (ava runs files and tests concurrently, and a developer may have
// his own lab up), the CLI as a user runs it, SSH through the proxy, and the "nothing
// remains" check.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { emulateDown } from '../../src/emulate/down.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { preflight } from '../../src/emulate/preflight.js';
import { hostCgroups, labCgroupDir } from '../../src/emulate/cgroups.js';
import { labPaths } from '../../src/emulate/paths.js';
import { readState } from '../../src/emulate/state.js';
import type { EmulatedTarget } from '../../src/emulate/targets.js';
import { readLab } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { CLI, exampleLab } from '../helpers/paths.js';

/** Fails (never skips) when this machine cannot run the emulated lab. */
export function requireEmulation(): void {
  preflight();
  if (!existsSync('/usr/bin/ssh')) throw new Error('ssh is not installed: these tests need it (apt-get install -y openssh-client)');
}

export interface TestLab {
  name: string;
  file: string;
  lab: Lab;
  env: NodeJS.ProcessEnv;
  /** Temporary directory holding the lab file and its state base. */
  dir: string;
}

let counter = 0;

/** A copy of an example lab under a unique name, with its own state base directory. */
export async function makeLab(example: string, tag: string): Promise<TestLab> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-emu-'));
  const name = `t${process.pid.toString(36)}${(counter++).toString(36)}-${tag}`.slice(0, 40);
  const text = (await readFile(exampleLab(example), 'utf8')).replace(/^name: .*$/m, `name: ${name}`);
  const file = path.join(dir, `${name}.lab.yaml`);
  await writeFile(file, text);
  const { lab } = await readLab(file);
  return { name, file, lab, dir, env: { ...process.env, LABSMITH_STATE_DIR: path.join(dir, 'state') } };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a remote shell command through OpenSSH with the target's proxy command and key,
 * checking the host key against the lab's known_hosts. */
export function sshRun(target: EmulatedTarget, command: string): CliResult {
  const r = spawnSync(
    'ssh',
    [
      '-F', '/dev/null',
      '-i', target.privateKeyPath,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${target.knownHostsPath}`,
      '-o', `ProxyCommand=${target.proxyCommand.map(shq).join(' ')}`,
      '-o', 'ConnectTimeout=10',
      '-p', String(target.port),
      `${target.user}@${target.address}`,
      command,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

/** Everything up made is gone: namespaces, processes, mounts, runtime files. */
export async function assertNothingRemains(t: ExecutionContext, tl: TestLab, remembered: number[] = []): Promise<void> {
  const paths = labPaths(tl.name, tl.env);
  const netns = readdirSafe('/run/netns').filter((n) => n === `lsm-${tl.name}` || n.startsWith(`lsm-${tl.name}.`));
  t.deepEqual(netns, [], 'no namespace of the lab is left');
  const procs: string[] = [];
  const mounts: string[] = [];
  for (const pid of readdirSafe('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    const cmd = readSafe(`/proc/${pid}/cmdline`).replace(/\0/g, ' ');
    if (cmd.includes(paths.dir) || cmd.includes(`lsm-${tl.name}`)) procs.push(`${pid}: ${cmd}`);
    for (const line of readSafe(`/proc/${pid}/mountinfo`).split('\n')) {
      // Mounts under the state dir, the runtime tmpfs, and (nsfs) copies of the lab's
      // namespace files anywhere: any of them would keep the lab's namespaces alive.
      if (line.includes(paths.dir) || line.includes(`/run/netns/lsm-${tl.name}`) || line.includes(` lsm-run-${tl.name} `)) mounts.push(`${pid}: ${line}`);
    }
  }
  t.deepEqual(procs, [], 'no process of the lab is left');
  t.deepEqual(labCgroups(tl.name), [], 'no cgroup of the lab is left, in any hierarchy');
  t.deepEqual([...new Set(mounts)], [], 'no mount under the state dir is left, in any mount namespace');
  for (const pid of remembered) t.false(isAlive(pid), `process ${pid} started in the lab is gone`);
  t.false(existsSync(paths.run), 'runtime dir removed');
  t.false(existsSync(paths.state), 'state.json removed');
  t.is(await readState(paths.state), undefined);
}

export function isAlive(pid: number): boolean {
  const status = readSafe(`/proc/${pid}/status`);
  return status !== '' && !/^State:\s+[ZX]/m.test(status);
}

/** The root namespace's links, addresses and routes: must not change while labs come and go. */
export function rootNetworkSnapshot(): string {
  const run = (args: string[]) => spawnSync('ip', args, { encoding: 'utf8' }).stdout;
  const links = run(['-o', 'link', 'show']).split('\n').map((l) => l.replace(/^\d+:\s*/, '').split(':')[0]).filter(Boolean).sort();
  return [links.join(' '), run(['-4', '-o', 'addr', 'show']).replace(/valid_lft.*$/gm, ''), run(['-4', 'route', 'show'])].join('\n');
}

/** Pid (machine view) of processes in a host whose command line includes `needle`. */
export async function pidsInLab(tl: TestLab, needle: string): Promise<number[]> {
  const state = await readState(labPaths(tl.name, tl.env).state);
  const inodes = new Set(state!.hosts.map((h) => `net:[${statIno(`/run/netns/${h.netns}`)}]`));
  const out: number[] = [];
  for (const pid of readdirSafe('/proc').filter((p) => /^\d+$/.test(p))) {
    let ns = '';
    try {
      ns = readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      continue;
    }
    if (inodes.has(ns) && readSafe(`/proc/${pid}/cmdline`).replace(/\0/g, ' ').includes(needle)) out.push(Number(pid));
  }
  return out;
}

function statIno(p: string): number {
  try {
    return statSync(p).ino;
  } catch {
    return -1;
  }
}

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function readSafe(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/** Takes the lab down (if a test failed before it did) and removes its temporary files. */
export async function disposeLab(tl: TestLab | undefined): Promise<void> {
  if (!tl) return;
  await emulateDown(tl.name, { env: tl.env }).catch(() => undefined);
  await rm(tl.dir, { recursive: true, force: true });
}

/** The lab's cgroup directories, in every hierarchy of this machine. */
export function labCgroups(lab: string): string[] {
  const { base, hierarchies } = hostCgroups();
  return hierarchies.map((h) => labCgroupDir(h, base, lab)).filter((d) => existsSync(d));
}
