// verify over the whole lab: one SSH connection per host, then
//   1. one facts command per host (minions: their probe pods made or checked, listener kept),
//   2. one probe command per host running that host's whole batch of probes at once,
//   3. with --cleanup, one command per minion removing its probe pods,
// then the diagnosis, computed locally.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pushPlatform, type PushPlatform } from '../apply/router-routes.js';
import { UsageError } from '../core/errors.js';
import { labTargets, type LabTarget } from '../apply/targets.js';
import { emulatedTargets } from '../emulate/targets.js';
import type { Lab } from '../lab/types.js';
import { connectAll, formatRemoteEvent, type RemoteHost } from '../remote/index.js';
import { diagnose, type HostObservation } from './diagnose.js';
import { totals, type HostRun, type VerifyReport } from './model.js';
import { parseCleanup, parseNodeFacts, parseProbeOutput, parseRouterFacts, type ProbeOutcome } from './parse.js';
import { byHost, natHasNodePort, natHasService, planProbes, podSetup, type OutsideHost } from './plan.js';
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

type Role = HostRun['role'];

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
  // VyOS is Linux underneath: its kernel table is read as a Linux router's is.
  const pushed = pushPlatform(lab, opts.emulated);
  const platform = pushed === 'vyos' ? 'linux' : pushed;
  const routerSkip = platform
    ? undefined
    : `labsmith cannot read a ${lab.router.platform} switch's table: compare its routing table with \`labsmith routes ${lab.file}\` by hand`;
  const { targets, outside } = await verifyTargets(lab, opts, Boolean(platform));
  const roles = new Map<string, Role>(targets.map((t) => [t.host, t.role]));
  const step = opts.onStep ?? (() => {});

  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const pool = await connectAll(targets, {
    concurrency: opts.concurrency ?? 32,
    ...(opts.acceptChangedHostKeys ? { acceptChangedHostKeys: opts.acceptChangedHostKeys } : {}),
    ...(opts.connectTimeoutMs ? { readyTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    onEvent: (e) => {
      if (e.kind === 'hostkey-recorded' || e.kind === 'hostkey-replaced') opts.onNote?.(formatRemoteEvent(e));
    },
  });
  const obs = new Map<string, HostObservation>();
  for (const t of targets) {
    const failed = pool.failed.find((e) => e.host === t.host);
    obs.set(t.host, {
      host: t.host,
      role: t.role,
      reached: !failed,
      ...(failed ? { sshError: `${failed.kind}: ${failed.message.split('\n')[0]}` } : {}),
    });
  }
  phase('connect');
  const outcomes = new Map<string, ProbeOutcome>();
  const cleanedUp: Record<string, string[]> = {};
  try {
    // 1. Facts, and the minions' probe pods.
    await Promise.all(
      pool.hosts.map(async (h) => {
        const o = obs.get(h.name)!;
        const role = roles.get(h.name)!;
        try {
          if (role === 'router') {
            step(h.name, 'reading the routing table');
            o.routerFacts = parseRouterFacts(platform!, await run(h, routerFactsArgv(platform!), FACTS_TIMEOUT_MS));
          } else if (role === 'master' || role === 'minion') {
            const node = lab.nodes.find((n) => n.name === h.name)!;
            const setup = podSetup(lab, node);
            step(h.name, setup.pods.length ? `reading facts, checking ${setup.pods.length} probe pods` : 'reading facts');
            o.nodeFacts = parseNodeFacts(await run(h, setup.pods.length ? nodePrepareArgv(setup.pods, setup.listen) : nodeFactsArgv(), FACTS_TIMEOUT_MS));
          }
        } catch (err) {
          o.factsError = (err as Error).message;
        }
      }),
    );

    phase('facts');
    // 2. Probes: planned now that the nodes' nat tables say which services are implemented.
    const natOf = (node: string) => obs.get(node)?.nodeFacts?.natRules ?? [];
    const probes = planProbes(lab, {
      ...(outside ? { outside } : {}),
      services: {
        clusterIP: (svc, node) => natHasService(natOf(node), svc.clusterIP, svc.port),
        nodePort: (svc, node) => svc.nodePort !== undefined && natHasNodePort(natOf(node), svc.nodePort),
      },
    });
    const batches = byHost(probes);
    await Promise.all(
      pool.hosts.map(async (h) => {
        const batch = batches.get(h.name);
        if (!batch?.length) return;
        const o = obs.get(h.name)!;
        step(h.name, `probing (${batch.length} probes)`);
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
        step(h.name, 'done');
      }),
    );

    phase('probes');
    // 3. --cleanup
    if (opts.cleanup) {
      await Promise.all(
        pool.hosts
          .filter((h) => roles.get(h.name) === 'minion' || roles.get(h.name) === 'master')
          .map(async (h) => {
            step(h.name, 'removing probe pods');
            try {
              cleanedUp[h.name] = parseCleanup(await run(h, cleanupArgv(), FACTS_TIMEOUT_MS)).removed;
            } catch (err) {
              opts.onNote?.(`${h.name}: removing probe pods failed: ${(err as Error).message}`);
            }
          }),
      );
      phase('cleanup');
    }

    const { checks, skipped } = diagnose({ lab, hosts: obs, ...(routerSkip ? { routerSkip } : {}), ...(outside ? { outside } : {}), probes, outcomes });
    const hosts: HostRun[] = targets.map((t) => {
      const h = pool.byName(t.host);
      const o = obs.get(t.host)!;
      return {
        host: t.host,
        role: t.role,
        ssh: o.reached ? 'ok' : 'failed',
        ...(o.sshError ? { error: o.sshError } : o.factsError ? { error: o.factsError } : o.probeError ? { error: o.probeError } : {}),
        commands: h?.counters.commands ?? 0,
        connections: h?.counters.connections ?? 0,
      };
    });
    if (routerSkip) hosts.push({ host: lab.router.name, role: 'router', ssh: 'not-used', commands: 0, connections: 0 });
    phase('diagnose');
    const t = totals(checks, hosts);
    return {
      lab: lab.name,
      emulated: opts.emulated,
      ok: t.fail === 0 && t.unknown === 0,
      checks,
      hosts,
      skipped,
      ...(opts.cleanup ? { cleanedUp } : {}),
      ms: Math.round(performance.now() - t0),
      phases,
      totals: t,
    };
  } finally {
    await pool.closeAll();
  }
}

async function run(h: RemoteHost, argv: string[], timeoutMs: number): Promise<string> {
  const r = await h.exec(argv, { timeoutMs });
  const out = r.stdout.toString();
  if (r.code !== 0) throw new Error(`exit ${r.code ?? r.signal}: ${(r.stderr.toString().trim() || out.trim()).split('\n').slice(-3).join(' ').slice(0, 300)}`);
  return out;
}

/** Who verify talks to: every node, the MLS when its table can be read, and in the emulated
 * lab the outside host (which probes the pods from beyond the MLS). */
async function verifyTargets(lab: Lab, opts: VerifyOptions, readRouter: boolean): Promise<{ targets: (LabTarget & { role: Role })[]; outside?: OutsideHost }> {
  if (!opts.emulated) return { targets: await labTargets(lab, { emulated: false, includeRouter: readRouter }) };
  const all = await emulatedTargets(lab, opts.env);
  const roleOf = (host: string, kind: string): Role => (kind === 'outside' ? 'outside' : host === lab.router.name ? 'router' : (lab.nodes.find((n) => n.name === host)?.role ?? 'outside'));
  const targets = all
    .filter((t) => t.kind !== 'router' || readRouter)
    .map((t) => ({ host: t.host, address: t.address, port: t.port, user: t.user, privateKeyPath: t.privateKeyPath, knownHostsPath: t.knownHostsPath, proxyCommand: t.proxyCommand, role: roleOf(t.host, t.kind) }));
  const o = all.find((t) => t.kind === 'outside');
  return { targets, ...(o ? { outside: { name: o.host, address: o.address } } : {}) };
}

export type { PushPlatform };
