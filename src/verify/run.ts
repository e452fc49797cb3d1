// verify over the whole lab: one SSH connection per host, then
//   1. one facts command per host (minions: their probe pods made or checked, listener kept),
//   2. one probe command per host running that host's whole batch of probes at once,
//   3. with --cleanup, one command per minion removing its probe pods,
// then the diagnosis, computed locally.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { labHosts, readPlatform, type LabHost } from '../hosts/index.js';
import type { Lab } from '../lab/types.js';
import { connectAll, formatRemoteEvent, type ConnectedPool, type RemoteHost } from '../remote/index.js';
import { diagnose, type ObservedHost } from './diagnose.js';
import { totals, type VerifyHostRow, type VerifyReport } from './model.js';
import { parseCleanup, parseNodeFacts, parseProbeOutput, parseRouterFacts, type ProbeOutcome } from './parse.js';
import { byHost, chooseProbes, natHasNodePort, natHasService, podSetup, type OutsideHost, type PlannedProbe, type ServiceImplementation } from './probes.js';
import { cleanupArgv, nodeFactsArgv, nodePrepareArgv, probeArgv, routerFactsArgv } from './scripts.js';

export interface VerifyOptions {
  emulated: boolean;
  /** Remove the probe pods (and their listener) once the checks are done. */
  cleanup?: boolean;
  /** SSH handshakes at once. Default 32. */
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  acceptChangedHostKeys?: string[];
  connectTimeoutMs?: number;
  onStep?: (host: string, text: string) => void;
  onNote?: (text: string) => void;
}

const FACTS_TIMEOUT_MS = 60_000;
const PROBE_COMMAND_TIMEOUT_MS = 30_000;

/** Where an emulated host finds python3: this machine's own, as its sshd sessions see it. */
const HOST_PYTHON_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'];

/** The emulated hosts run this machine's python3 (and need its ctypes): say so once, up front,
 * rather than once per host. */
export function emulatedPythonProblem(): string | undefined {
  const python = HOST_PYTHON_DIRS.map((d) => path.join(d, 'python3')).find((f) => existsSync(f));
  if (!python) return 'python3 is not installed: verify runs its probes and the pods\' listener with it (apt-get install python3)';
  const r = spawnSync(python, ['-S', '-c', 'import ctypes, select, socket'], { encoding: 'utf8' });
  if (r.status !== 0) return `${python} lacks modules verify needs (ctypes, select, socket): ${r.stderr.trim().split('\n').pop()} (apt-get install python3)`;
  return undefined;
}

export async function verifyLab(lab: Lab, opts: VerifyOptions): Promise<VerifyReport> {
  const t0 = performance.now();
  if (opts.emulated) {
    const problem = emulatedPythonProblem();
    if (problem) throw new UsageError(problem, 'the emulated hosts use this machine\'s programs');
  }
  const platform = readPlatform(lab, opts.emulated);
  const routerSkip = platform
    ? undefined
    : `labsmith cannot read a ${lab.router.platform} switch's table: compare its routing table with \`labsmith routes ${lab.file}\` by hand`;
  const targets = await labHosts(lab, { emulated: opts.emulated, router: Boolean(platform), outside: true, ...(opts.env ? { env: opts.env } : {}) });
  const outsideHost = targets.find((t) => t.role === 'outside');
  const outside: OutsideHost | undefined = outsideHost ? { name: outsideHost.host, address: outsideHost.address } : undefined;
  const phases = phaseClock();
  const pool = await connectAll(targets, {
    concurrency: opts.concurrency ?? 32,
    ...(opts.acceptChangedHostKeys ? { acceptChangedHostKeys: opts.acceptChangedHostKeys } : {}),
    ...(opts.connectTimeoutMs ? { readyTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    onEvent: (e) => {
      if (e.kind === 'hostkey-recorded' || e.kind === 'hostkey-replaced') opts.onNote?.(formatRemoteEvent(e));
    },
  });
  const run: VerifyRun = { lab, opts, pool, observed: observeConnections(targets, pool), step: opts.onStep ?? (() => {}) };
  phases.mark('connect');
  try {
    await readFacts(run, platform);
    phases.mark('facts');
    const probes = chooseProbes(lab, { ...(outside ? { outside } : {}), services: implementedServices(run) });
    const outcomes = await runProbes(run, probes);
    phases.mark('probes');
    const cleanedUp = opts.cleanup ? await removeProbePods(run) : undefined;
    if (cleanedUp) phases.mark('cleanup');
    const { checks, skipped } = diagnose({ lab, hosts: run.observed, ...(routerSkip ? { routerSkip } : {}), ...(outside ? { outside } : {}), probes, outcomes });
    const hosts = hostRows(run, targets, routerSkip);
    phases.mark('diagnose');
    const t = totals(checks, hosts);
    return {
      lab: lab.name,
      emulated: opts.emulated,
      ok: t.fail === 0 && t.unknown === 0,
      checks,
      hosts,
      skipped,
      ...(cleanedUp ? { cleanedUp } : {}),
      ms: Math.round(performance.now() - t0),
      phases: phases.all,
      totals: t,
    };
  } finally {
    await pool.closeAll();
  }
}

/** What one verify run carries from step to step. */
interface VerifyRun {
  lab: Lab;
  opts: VerifyOptions;
  pool: ConnectedPool;
  observed: Map<string, ObservedHost>;
  step: (host: string, text: string) => void;
}

function phaseClock(): { mark(name: string): void; all: Record<string, number> } {
  const all: Record<string, number> = {};
  let last = performance.now();
  return {
    all,
    mark(name) {
      const now = performance.now();
      all[name] = Math.round(now - last);
      last = now;
    },
  };
}

function observeConnections(targets: readonly LabHost[], pool: ConnectedPool): Map<string, ObservedHost> {
  const observed = new Map<string, ObservedHost>();
  for (const t of targets) {
    const failed = pool.failed.find((e) => e.host === t.host);
    observed.set(t.host, { host: t.host, role: t.role, reached: !failed, ...(failed ? { sshError: `${failed.kind}: ${failed.message.split('\n')[0]}` } : {}) });
  }
  return observed;
}

/** Step 1: one facts command per host; the minions' probe pods made or checked on the way. */
async function readFacts(run: VerifyRun, platform: 'frr' | 'linux' | undefined): Promise<void> {
  const { lab, pool, observed, step } = run;
  await Promise.all(
    pool.hosts.map(async (h) => {
      const o = observed.get(h.name)!;
      try {
        if (o.role === 'router') {
          step(h.name, 'reading the routing table');
          o.routerFacts = parseRouterFacts(platform!, await runChecked(h, routerFactsArgv(platform!), FACTS_TIMEOUT_MS));
        } else if (o.role === 'master' || o.role === 'minion') {
          const node = lab.nodes.find((n) => n.name === h.name)!;
          const setup = podSetup(lab, node);
          step(h.name, setup.pods.length ? `reading facts, checking ${setup.pods.length} probe pods` : 'reading facts');
          o.nodeFacts = parseNodeFacts(await runChecked(h, setup.pods.length ? nodePrepareArgv(setup.pods, setup.listen) : nodeFactsArgv(), FACTS_TIMEOUT_MS));
        }
      } catch (err) {
        o.factsError = (err as Error).message;
      }
    }),
  );
}

/** Which services the nodes implement, read from their nat tables: only those are probed. */
function implementedServices(run: VerifyRun): ServiceImplementation {
  const natOf = (node: string) => run.observed.get(node)?.nodeFacts?.natRules ?? [];
  return {
    clusterIP: (svc, node) => natHasService(natOf(node), svc.clusterIP, svc.port),
    nodePort: (svc, node) => svc.nodePort !== undefined && natHasNodePort(natOf(node), svc.nodePort),
  };
}

/** Step 2: one probe command per host, running that host's whole batch at once. */
async function runProbes(run: VerifyRun, probes: PlannedProbe[]): Promise<Map<string, ProbeOutcome>> {
  const outcomes = new Map<string, ProbeOutcome>();
  const batches = byHost(probes);
  await Promise.all(
    run.pool.hosts.map(async (h) => {
      const batch = batches.get(h.name);
      if (!batch?.length) return;
      const o = run.observed.get(h.name)!;
      run.step(h.name, `probing (${batch.length} probes)`);
      try {
        const r = await h.exec(probeArgv(batch.map((p) => p.wire)), { timeoutMs: PROBE_COMMAND_TIMEOUT_MS });
        const out = parseProbeOutput(r.stdout.toString());
        if (out.noPython) o.probeError = 'python3 is missing: the prober needs it (apt-get install python3, or yum install python3)';
        else if (!out.complete && r.code !== 0) o.probeError = `the prober failed (exit ${r.code ?? r.signal}): ${r.stderr.toString().trim().split('\n').slice(-2).join(' ').slice(0, 300)}`;
        batch.forEach((p, i) => {
          const res = out.results.get(i);
          if (res) outcomes.set(p.id, res);
        });
      } catch (err) {
        o.probeError = `the probe command failed: ${(err as Error).message}`;
      }
      run.step(h.name, 'done');
    }),
  );
  return outcomes;
}

/** Step 3 (--cleanup): one command per node removing its probe pods and listener. */
async function removeProbePods(run: VerifyRun): Promise<Record<string, string[]>> {
  const cleanedUp: Record<string, string[]> = {};
  await Promise.all(
    run.pool.hosts
      .filter((h) => ['minion', 'master'].includes(run.observed.get(h.name)!.role))
      .map(async (h) => {
        run.step(h.name, 'removing probe pods');
        try {
          cleanedUp[h.name] = parseCleanup(await runChecked(h, cleanupArgv(), FACTS_TIMEOUT_MS)).removed;
        } catch (err) {
          run.opts.onNote?.(`${h.name}: removing probe pods failed: ${(err as Error).message}`);
        }
      }),
  );
  return cleanedUp;
}

/** The report's host table: connection and command counts, and each host's first error. */
function hostRows(run: VerifyRun, targets: readonly LabHost[], routerSkip: string | undefined): VerifyHostRow[] {
  const rows: VerifyHostRow[] = targets.map((t) => {
    const h = run.pool.byName(t.host);
    const o = run.observed.get(t.host)!;
    const error = o.sshError ?? o.factsError ?? o.probeError;
    return { host: t.host, role: t.role, ssh: o.reached ? 'ok' : 'failed', ...(error ? { error } : {}), commands: h?.counters.commands ?? 0, connections: h?.counters.connections ?? 0 };
  });
  if (routerSkip) rows.push({ host: run.lab.router.name, role: 'router', ssh: 'not-used', commands: 0, connections: 0 });
  return rows;
}

async function runChecked(h: RemoteHost, argv: string[], timeoutMs: number): Promise<string> {
  const r = await h.exec(argv, { timeoutMs });
  const out = r.stdout.toString();
  if (r.code !== 0) throw new Error(`exit ${r.code ?? r.signal}: ${(r.stderr.toString().trim() || out.trim()).split('\n').slice(-3).join(' ').slice(0, 300)}`);
  return out;
}
