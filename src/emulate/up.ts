// Build an emulated lab, or reconcile a running one with its (changed) lab file: namespaces,
// fabric bridges and veths, then one holder process per host (its own net, mount, uts, ipc and
// pid namespaces, running scripts/emulate/host-init.sh as PID 1, which mounts the host's
// filesystem view and starts sshd, and FRR on the router). state.json records every name
// before it is created, so down can undo a broken up.
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Lab } from '../lab/types.js';
import { teardown } from './down.js';
import { hostStateOf, startHosts } from './host-life.js';
import { fabricBatch, netnsAddBatch } from './files.js';
import { writeKnownHosts } from './keys.js';
import { acquireLock } from './lock.js';
import { labPaths, type LabPaths } from './paths.js';
import { preflight, type Tools } from './preflight.js';
import { markOpaque, prepareContext, prepareHost, snapshotEtc } from './prepare.js';
import { cgroupMountSpecs, hostCgroups } from './cgroups.js';
import { listNetns } from './proc.js';
import { reconcile } from './reconcile-run.js';
import { mapLimit, must } from './run.js';
import { checkHostLimits } from './limits.js';
import { hostAlive, labHealthy, readState, StateWriter, type EmuState, type HostState } from './state.js';
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
  /** The lab was up and already as the file describes it: nothing was done. */
  already: boolean;
  /** An earlier up that had not finished (or a half-dead lab) was cleaned up first. */
  cleaned: boolean;
  /** The lab was up and was changed to match the file (see `changes`). */
  reconciled: boolean;
  /** What a reconcile changed, one line each ("+ host w4 (node, 10.20.30.70)", ...). */
  changes: string[];
  state: EmuState;
  ms: number;
  timings: Record<string, number>;
}

export async function emulateUp(lab: Lab, opts: UpOptions = {}): Promise<UpResult> {
  const t0 = performance.now();
  const tools = opts.tools ?? preflight(opts.env);
  const cgroups = hostCgroups();
  const paths = labPaths(lab.name, opts.env);
  const log = opts.log ?? (() => undefined);
  const release = await acquireLock(paths, lab.name);
  const result = (r: Omit<UpResult, 'ms' | 'cleaned' | 'reconciled' | 'changes' | 'already'> & Partial<UpResult>): UpResult => ({
    already: false,
    cleaned: false,
    reconciled: false,
    changes: [],
    ...r,
    ms: performance.now() - t0,
  });
  try {
    const existing = await readState(paths.state);
    const file = path.resolve(lab.file);
    if (existing && existing.file !== file) throw otherFile(lab, existing.file, file);
    if (existing && labHealthy(existing) && existing.sshPort === lab.ssh.port) {
      const r = await reconcile(lab, existing, paths, tools, { concurrency: concurrencyOf(opts), log, ...(opts.env ? { env: opts.env } : {}) });
      return result({ already: r.changes.length === 0, reconciled: r.changes.length > 0, changes: r.changes, state: existing, timings: r.timings });
    }
    // Hosts of an earlier, broken up are ended before these boot.
    checkHostLimits(topologyOf(lab).hosts.length - (existing ? existing.hosts.filter((h) => hostAlive(h)).length : 0));
    let cleaned = false;
    const leftovers = listNetns().some((n) => n === fabricNetns(lab.name) || n.startsWith(hostNetnsPrefix(lab.name)));
    if (!existing && leftovers) {
      throw new UsageError(
        `namespaces of a lab named ${lab.name} exist, but ${paths.dir} has no record of them`,
        `is it up under another LABSMITH_STATE_DIR? labsmith down ${lab.file} (with that state dir, or this one) removes them`,
      );
    }
    if (existing) {
      // A lab with a dead host, an unfinished up, or another SSH port (every sshd would
      // change) is built again from nothing.
      log(`cleaning up what an earlier up of ${lab.name} left`);
      await teardown(lab.name, paths, tools.ip);
      cleaned = true;
    }
    try {
      const { state, timings } = await build(lab, paths, tools, cgroups, opts, log);
      return result({ cleaned, state, timings });
    } catch (err) {
      if (!opts.keepOnFailure) await teardown(lab.name, paths, tools.ip).catch(() => undefined);
      throw err;
    }
  } finally {
    await release();
  }
}

/** One state per lab name: a second checkout's lab of the same name is refused, not merged. */
function otherFile(lab: Lab, running: string, wanted: string): UsageError {
  return new UsageError(
    `the emulated lab ${lab.name} is up, built from ${running}; ${wanted} has the same name`,
    `labsmith down ${running} first, or give ${wanted} another name:, or run it with its own LABSMITH_STATE_DIR`,
  );
}

const concurrencyOf = (opts: UpOptions) => opts.concurrency ?? Math.max(4, cpus().length * 4);

async function build(lab: Lab, paths: LabPaths, tools: Tools, cgroups: EmuState['cgroups'], opts: UpOptions, log: (l: string) => void) {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  const topo = topologyOf(lab);
  const concurrency = concurrencyOf(opts);

  const hosts: HostState[] = topo.hosts.map((h) => hostStateOf(paths, h));
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
    cgroups,
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
      const ctx = await prepareContext(lab, paths, tools, topo.hosts, concurrency, cgroupMountSpecs(cgroups.hierarchies));
      await mapLimit(hosts, concurrency, (h) => prepareHost(ctx, h, h.dir));
      await markOpaque(tools.setfattr, hosts.map((h) => h.dir));
    }),
    lane('fabric', async () => {
      await must([tools.ip, '-batch', '-'], { input: netnsAddBatch(topo) });
      await must([tools.ip, '-n', topo.fabric, '-batch', '-'], { input: fabricBatch(topo) });
    }),
  ]);
  step('prepare');

  await startHosts(tools, state, hosts, concurrency, () => writer.save(), opts, log);
  step('hosts');

  await writeKnownHosts(paths, topo.hosts, lab.ssh.port);
  state.phase = 'up';
  state.readyAt = new Date().toISOString();
  await writer.save();
  step('finish');
  return { state, timings };
}

/** Waits for every promise (none left running behind a failure), then throws the first error. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
