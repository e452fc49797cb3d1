// Build an emulated lab: namespaces, fabric bridges and veths, then one holder process per
// host (its own net, mount, uts, ipc and pid namespaces, running scripts/emulate/host-init.sh
// as PID 1, which mounts the host's filesystem view and starts sshd, and FRR on the router).
// state.json records every name before it is created, so down can undo a broken up.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Lab } from '../lab/types.js';
import { teardown } from './down.js';
import { fabricBatch, netnsAddBatch } from './files.js';
import { ensureKeys, writeKnownHosts } from './keys.js';
import { acquireLock } from './lock.js';
import { hostDir, hostInitScript, labPaths, type LabPaths } from './paths.js';
import { preflight, type Tools } from './preflight.js';
import { etcDirAttributes, lookupOwner, prepareHost, shadowFor, snapshotEtc, type PrepareContext } from './prepare.js';
import { children, listNetns } from './proc.js';
import { mapLimit, must } from './run.js';
import { labHealthy, readState, StateWriter, type EmuState, type HostState } from './state.js';
import { fabricNetns, hostNetnsPrefix, topologyOf } from './topology.js';

export interface UpOptions {
  /** Hosts started at once (default: 4 per core, at least 4). */
  concurrency?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Keep what a failed up made, for inspection (default: tear it down). */
  keepOnFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  tools?: Tools;
  /** Called after each host is ready (tests use it to interrupt an up halfway). */
  onHostReady?: (host: HostState) => void;
}

export interface UpResult {
  already: boolean;
  /** An earlier up that had not finished (or a half-dead lab) was cleaned up first. */
  cleaned: boolean;
  state: EmuState;
  ms: number;
  timings: Record<string, number>;
}

const READY_TIMEOUT_MS = 30_000;

export async function emulateUp(lab: Lab, opts: UpOptions = {}): Promise<UpResult> {
  const t0 = performance.now();
  const tools = opts.tools ?? preflight(opts.env);
  const paths = labPaths(lab.name, opts.env);
  const log = opts.log ?? (() => undefined);
  const release = await acquireLock(paths, lab.name);
  try {
    const existing = await readState(paths.state);
    if (existing && labHealthy(existing)) {
      return { already: true, cleaned: false, state: existing, ms: performance.now() - t0, timings: {} };
    }
    let cleaned = false;
    const leftovers = listNetns().some((n) => n === fabricNetns(lab.name) || n.startsWith(hostNetnsPrefix(lab.name)));
    if (!existing && leftovers) {
      throw new UsageError(
        `namespaces of a lab named ${lab.name} exist, but ${paths.dir} has no record of them`,
        `is it up under another LABSMITH_STATE_DIR? labsmith down ${lab.file} (with that state dir, or this one) removes them`,
      );
    }
    if (existing) {
      log(`cleaning up what an earlier up of ${lab.name} left`);
      await teardown(lab.name, paths, tools.ip);
      cleaned = true;
    }
    try {
      const { state, timings } = await build(lab, paths, tools, opts, log);
      return { already: false, cleaned, state, ms: performance.now() - t0, timings };
    } catch (err) {
      if (!opts.keepOnFailure) await teardown(lab.name, paths, tools.ip).catch(() => undefined);
      throw err;
    }
  } finally {
    await release();
  }
}

async function build(lab: Lab, paths: LabPaths, tools: Tools, opts: UpOptions, log: (l: string) => void) {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  const topo = topologyOf(lab);
  const concurrency = opts.concurrency ?? Math.max(4, cpus().length * 4);

  const hosts: HostState[] = topo.hosts.map((h) => ({
    ...h,
    dir: hostDir(paths, h.name),
    mounts: ['/etc (overlay)', '/opt', '/root', '/tmp', '/run', '/var', '/dev/shm (tmpfs)', '/ (read-only)'],
  }));
  const state: EmuState = {
    version: 1,
    lab: lab.name,
    file: path.resolve(lab.file),
    phase: 'starting',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    stateDir: paths.dir,
    runDir: paths.run,
    fabric: topo.fabric,
    bridges: topo.bridges,
    uplink: topo.uplink,
    sshPort: lab.ssh.port,
    runTmpfs: (opts.env ?? process.env).LABSMITH_RUN_ON_DISK !== '1',
    hosts,
  };
  const writer = new StateWriter(paths.state, state);
  await writer.save();
  step('state');

  await mkdir(paths.run, { recursive: true, mode: 0o700 });
  if (state.runTmpfs) {
    // Everything a host writes (its /etc upper layer, /opt, /var, ...) lives in memory: file
    // creation there is ~15x cheaper than on this disk, and down drops it in one umount.
    await must([tools.mount, '-t', 'tmpfs', '-o', 'mode=0700,size=50%', `lsm-run-${lab.name}`, paths.run]);
  }
  const frr = lookupOwner(readFileSync('/etc/passwd', 'utf8'), readFileSync('/etc/group', 'utf8'), 'frr');
  if (!frr) throw new Error('user frr not found in /etc/passwd (is the frr package installed?)');
  const lane = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const out = await work();
    timings[name] = Math.round(performance.now() - start);
    return out;
  };
  // Three independent lanes: the /etc snapshot; keys then host directories; namespaces and
  // the fabric.
  await settleAll([
    lane('etcSnapshot', () => snapshotEtc(tools.cp, paths.etcLower)),
    lane('keys+prepare', async () => {
      const [, shadow, etcDirs] = await Promise.all([ensureKeys(tools.sshKeygen, paths, lab.name, topo.hosts, concurrency), shadowFor('/etc'), etcDirAttributes(['ssh', 'frr'])]);
      const ctx: PrepareContext = {
        paths,
        sshd: tools.sshd,
        frrDir: tools.frrDir,
        sshPort: lab.ssh.port,
        frr,
        etcDirs,
        ...(shadow ? { shadow } : {}),
        authorizedKey: await readFile(paths.keyPub, 'utf8'),
      };
      await mapLimit(hosts, concurrency, (h) => prepareHost(ctx, h, h.dir));
    }),
    lane('fabric', async () => {
      await must([tools.ip, '-batch', '-'], { input: netnsAddBatch(topo) });
      await must([tools.ip, '-n', topo.fabric, '-batch', '-'], { input: fabricBatch(topo) });
    }),
  ]);
  step('prepare');

  const script = hostInitScript();
  await mapLimit(hosts, concurrency, async (h) => {
    await startHost(tools, script, h, () => writer.save());
    log(`${h.name}: up (${h.kind}, ${h.address})`);
    opts.onHostReady?.(h);
  });
  step('hosts');

  await writeKnownHosts(paths, topo.hosts, lab.ssh.port);
  state.phase = 'up';
  state.readyAt = new Date().toISOString();
  await writer.save();
  step('finish');
  return { state, timings };
}

async function startHost(tools: Tools, script: string, h: HostState, save: () => Promise<void>): Promise<void> {
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

/** Waits for every promise (none left running behind a failure), then throws the first error. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
