// Observations of a healthy kubernetes-101 for the diagnosis and report tests, built from the
// captured outputs in test/fixtures/verify, and probe outcomes to go with them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readLab } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import type { ObservedHost } from '../../src/verify/diagnose.js';
import { podNetns } from '../../src/verify/names.js';
import { parseNodeFacts, parseRouterFacts, type NodeFacts, type ProbeOutcome } from '../../src/verify/parse.js';
import type { PlannedProbe } from '../../src/verify/probes.js';
import { exampleLab, ROOT } from '../helpers/paths.js';

export const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/verify', name), 'utf8');

export async function exampleLabPlan(name = 'kubernetes-101'): Promise<Lab> {
  return (await readLab(exampleLab(name))).lab;
}

export const OUTSIDE = { name: 'outside', address: '198.18.0.2' };

/** Every host reached, facts as a freshly applied lab has them. */
export function healthyHosts(lab: Lab): Map<string, ObservedHost> {
  const hosts = new Map<string, ObservedHost>();
  hosts.set(lab.router.name, { host: lab.router.name, role: 'router', reached: true, routerFacts: parseRouterFacts('frr', fixture('frr-routes.txt')) });
  const minion = parseNodeFacts(fixture('minion-prepare.txt'));
  const master = parseNodeFacts(fixture('master-facts.txt'));
  for (const n of lab.nodes) {
    const base: NodeFacts = n.role === 'minion' ? structuredClone(minion) : structuredClone(master);
    base.defaultGateway = n.gateway;
    if (n.docker0) {
      base.docker0 = { up: true, addresses: [`${n.docker0.gateway}/${n.docker0.prefix.length}`] };
      base.pods = lab.pods.filter((p) => p.node === n.name).map((p) => ({ netns: podNetns(p), status: 'ok' as const }));
    }
    hosts.set(n.name, { host: n.name, role: n.role, reached: true, nodeFacts: base });
  }
  hosts.set(OUTSIDE.name, { host: OUTSIDE.name, role: 'outside', reached: true });
  return hosts;
}

/** Every probe answered, each receiver seeing the sender's own address. */
export function allAnswered(probes: readonly PlannedProbe[]): Map<string, ProbeOutcome> {
  return new Map(probes.map((p) => [p.id, p.wire.kind === 'icmp' ? { ok: true, rttMs: 0.4 } : { ok: true, rttMs: 0.6, answer: p.source.own[0]! }]));
}
