import test from 'ava';
import type { Lab } from '../../src/lab/types.js';
import { diagnose, type ObservedHost } from '../../src/verify/diagnose.js';
import type { Check } from '../../src/verify/model.js';
import type { ProbeOutcome } from '../../src/verify/parse.js';
import { chooseProbes, type PlannedProbe } from '../../src/verify/probes.js';
import { allAnswered, exampleLabPlan, healthyHosts, OUTSIDE } from './helpers.js';

let lab: Lab;
test.before(async () => {
  lab = await exampleLabPlan();
});

const roots = (checks: Check[]) => checks.filter((c) => (c.result === 'fail' || c.result === 'unknown') && !c.cause);
const hostOf = (p: PlannedProbe, side: 'source' | 'target') => {
  const e = p[side];
  return 'host' in e ? e.host : undefined;
};

/** Runs the diagnosis with some probes failing (by a rule that describes the real fault). */
function run(hosts: Map<string, ObservedHost>, fails: (p: PlannedProbe) => ProbeOutcome | undefined, probes = chooseProbes(lab, { outside: OUTSIDE })) {
  const outcomes = allAnswered(probes);
  for (const p of probes) {
    const f = fails(p);
    if (f) outcomes.set(p.id, f);
  }
  return diagnose({ lab, hosts, outside: OUTSIDE, probes, outcomes });
}

/** Pod probes whose path crosses into or out of `node` (what a fault at its door breaks). */
const crossing = (node: string) => (p: PlannedProbe) =>
  p.kind === 'pod' && ((hostOf(p, 'target') === node && p.source.host !== node) || (p.source.kind === 'pod' && p.source.host === node && hostOf(p, 'target') !== node));
const timeout: ProbeOutcome = { ok: false, reason: 'timeout' };

test('a healthy lab: everything passes, services skipped with the reason', (t) => {
  const d = run(healthyHosts(lab), () => undefined);
  t.deepEqual(roots(d.checks), []);
  t.is(d.checks.filter((c) => c.result === 'fail').length, 0);
  const skip = d.checks.filter((c) => c.result === 'skip');
  t.deepEqual(skip.map((c) => c.id), ['service:webfrontend']);
  t.is(d.skipped[5], 'no node implements services (no kube-proxy rules for webfrontend)');
  t.regex(skip[0]!.diagnosis!, /nothing implements service webfrontend \(10\.100\.87\.105:80\).*kube-proxy/);
  t.deepEqual([...new Set(d.checks.map((c) => c.layer))], [0, 1, 2, 3, 4, 5]);
  t.is(new Set(d.checks.map((c) => c.id)).size, d.checks.length, 'check ids are unique');
});

test('a missing MLS route: one root cause, every pod failure through it attributed to it', (t) => {
  const hosts = healthyHosts(lab);
  const rf = hosts.get('mls')!.routerFacts!;
  rf.routes = rf.routes.filter((r) => r.prefix !== '10.10.20.0/24');
  const d = run(hosts, (p) => (crossing('kubminion2')(p) ? timeout : undefined));
  const r = roots(d.checks);
  t.deepEqual(r.map((c) => c.id), ['route:10.10.20.0/24']);
  t.is(r[0]!.diagnosis, 'the MLS has no route to 10.10.20.0/24 (kubminion2): add it or run apply');
  const failed = d.checks.filter((c) => c.result === 'fail' && c.cause);
  t.is(failed.length, 28);
  t.true(failed.every((c) => c.cause === 'route:10.10.20.0/24' && /explained by: the MLS has no route/.test(c.diagnosis!)));
});

test('an unrelated failure beside a missing route stays a root cause of its own', (t) => {
  const hosts = healthyHosts(lab);
  const rf = hosts.get('mls')!.routerFacts!;
  rf.routes = rf.routes.filter((r) => r.prefix !== '10.10.20.0/24');
  const d = run(hosts, (p) => (crossing('kubminion2')(p) || p.id === 'pod:web-controller-2-0>web-controller-2-2' ? timeout : undefined));
  const r = roots(d.checks);
  t.deepEqual(r.map((c) => c.id).sort(), ['pod:web-controller-2-0>web-controller-2-2', 'route:10.10.20.0/24']);
  t.regex(r.find((c) => c.kind === 'pod')!.diagnosis!, /web-controller-2-0 \(10\.10\.10\.2 on kubminion1\) -> web-controller-2-2 \(10\.10\.30\.2 on kubminion3\) port 4244: no answer within 1 s/);
});

test('an MLS route via the wrong node', (t) => {
  const hosts = healthyHosts(lab);
  const route = hosts.get('mls')!.routerFacts!.routes.find((r) => r.prefix === '10.10.20.0/24')!;
  route.nexthops = ['10.20.30.62'];
  const d = run(hosts, (p) => (crossing('kubminion2')(p) ? { ok: false, reason: 'ttl', detail: '10.20.30.1' } : undefined));
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [['route:10.10.20.0/24', 'the MLS routes 10.10.20.0/24 via 10.20.30.62 (kubminion1), not via 10.20.30.63 (kubminion2): fix it or run apply']]);
});

test('forwarding off on a minion', (t) => {
  const hosts = healthyHosts(lab);
  hosts.get('kubminion3')!.nodeFacts!.forwarding = false;
  const d = run(hosts, (p) => (crossing('kubminion3')(p) ? timeout : undefined));
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [['forwarding:kubminion3', 'kubminion3 has forwarding off: traffic to and from its pods stops there (sysctl -w net.ipv4.ip_forward=1, or run apply)']]);
  t.is(d.checks.filter((c) => c.cause === 'forwarding:kubminion3').length, 28);
});

test('docker0 down: the node cannot reach its own pods either, all attributed', (t) => {
  const hosts = healthyHosts(lab);
  hosts.get('kubminion2')!.nodeFacts!.docker0!.up = false;
  const d = run(hosts, (p) => (p.kind === 'pod' && (hostOf(p, 'target') === 'kubminion2' || (p.source.kind === 'pod' && p.source.host === 'kubminion2')) ? timeout : undefined));
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [['docker0:kubminion2', 'docker0 on kubminion2 is down: its pods are cut off (ip link set docker0 up, or run apply)']]);
  t.is(d.checks.filter((c) => c.cause === 'docker0:kubminion2').length, 32);
});

test('docker0 missing, or without its address', (t) => {
  const hosts = healthyHosts(lab);
  delete hosts.get('kubminion1')!.nodeFacts!.docker0;
  hosts.get('kubminion1')!.nodeFacts!.pods![0] = { netns: 'lsmpod-web-controller-2-0', status: 'error', message: 'cannot attach lsmv0 to docker0: Cannot find device "docker0"' };
  hosts.get('kubminion2')!.nodeFacts!.docker0!.addresses = ['10.10.99.1/24'];
  const d = run(hosts, (p) => (p.id === 'pod:outside>web-controller-2-0' ? { ok: false, reason: 'nons', detail: 'lsmpod-web-controller-2-0' } : undefined));
  const r = new Map(roots(d.checks).map((c) => [c.id, c.diagnosis]));
  t.is(r.get('docker0:kubminion1'), 'kubminion1 has no docker0 bridge: its pods have no gateway (run apply)');
  t.is(d.checks.find((c) => c.id === 'pods:kubminion1')!.cause, 'docker0:kubminion1', 'pods that could not be made for want of docker0 follow from it');
  t.is(d.checks.find((c) => c.id === 'pod:outside>web-controller-2-0')!.cause, 'docker0:kubminion1', 'and so do probes to them: causes point at the root');
  t.is(r.get('docker0:kubminion2'), 'docker0 on kubminion2 does not hold 10.10.20.1/24 (it holds 10.10.99.1/24): its pods\' gateway is missing (run apply)');
});

test('a masquerading minion: its pods are seen with its addresses; one root cause names the rule', (t) => {
  const hosts = healthyHosts(lab);
  hosts.get('kubminion1')!.nodeFacts!.natRules = ['-A POSTROUTING -s 10.10.10.0/24 -j MASQUERADE'];
  const d = run(hosts, (p) => {
    if (p.kind !== 'pod' || p.source.kind !== 'pod' || p.source.host !== 'kubminion1') return undefined;
    return { ok: true, rttMs: 0.5, answer: hostOf(p, 'target') === 'kubminion1' ? '10.10.10.1' : '10.20.30.62' };
  });
  const r = roots(d.checks);
  t.deepEqual(r.map((c) => c.id), ['nat:kubminion1']);
  t.regex(r[0]!.diagnosis!, /^kubminion1 NATs its pods' traffic: web-controller-2-0 \(10\.10\.10\.2\) is seen as 10\.20\.30\.62 by web-controller-2-1 \(and 17 more\); pods must keep their own address on the wire: remove the rule '-A POSTROUTING -s 10\.10\.10\.0\/24 -j MASQUERADE' in kubminion1's nat table$/);
  const nat = d.checks.filter((c) => c.cause === 'nat:kubminion1');
  t.is(nat.length, 18);
  t.true(nat.some((c) => c.diagnosis === 'reply from 10.10.10.3 seen from 10.10.10.1 (kubminion1\'s docker0), not 10.10.10.2: something NATs pod traffic'), 'same-node traffic through the bridge too');
  t.true(nat.some((c) => c.diagnosis === 'reply from 10.10.20.2 seen from 10.20.30.62 (kubminion1), not 10.10.10.2: something NATs pod traffic'));
});

test('NAT by something else than the source node is reported where it was seen', (t) => {
  const d = run(healthyHosts(lab), (p) => (p.id === 'pod:outside>probe-kubminion3' ? { ok: true, rttMs: 1, answer: '192.168.10.1' } : undefined));
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [['pod:outside>probe-kubminion3', 'reply from 10.10.30.3 seen from 192.168.10.1, not 198.18.0.2: something NATs pod traffic']]);
});

test('a node unreachable over SSH: reported as such, its checks unknown, its peers not failed', (t) => {
  const hosts = healthyHosts(lab);
  hosts.set('kubminion2', { host: 'kubminion2', role: 'minion', reached: false, sshError: 'connect: connection refused' });
  const probes = chooseProbes(lab, { outside: OUTSIDE });
  const d = run(hosts, () => undefined, probes);
  // its own probes never ran
  const outcomesFromIt = probes.filter((p) => p.host === 'kubminion2').map((p) => p.id);
  const d2 = diagnose({ lab, hosts, outside: OUTSIDE, probes, outcomes: new Map([...allAnswered(probes)].filter(([id]) => !outcomesFromIt.includes(id))) });
  for (const x of [d, d2]) {
    const r = roots(x.checks);
    t.deepEqual(r.map((c) => [c.id, c.result]), [['ssh:kubminion2', 'fail']]);
    t.is(r[0]!.diagnosis, 'kubminion2 is unreachable over SSH (connect: connection refused): its checks are unknown, not failed');
    const unknown = x.checks.filter((c) => c.result === 'unknown');
    t.true(unknown.length > 0 && unknown.every((c) => c.cause === 'ssh:kubminion2'));
    t.is(x.checks.filter((c) => c.result === 'fail').length, 1);
    t.is(x.checks.find((c) => c.id === 'pod:kubmasta>web-controller-2-1')!.result, 'pass', 'its pods still answer');
  }
  // A probe to its pods that fails cannot be told apart: unknown, not a failure of the sender.
  const d3 = run(hosts, (p) => (hostOf(p, 'target') === 'kubminion2' && p.kind === 'pod' ? timeout : undefined), probes);
  t.deepEqual(roots(d3.checks).map((c) => c.id), ['ssh:kubminion2']);
  t.is(d3.checks.find((c) => c.id === 'pod:kubmasta>web-controller-2-1')!.result, 'unknown');
});

test('a host without python3: its probes unknown under one root cause', (t) => {
  const hosts = healthyHosts(lab);
  hosts.get('kubminion1')!.probeError = 'python3 is missing: the prober needs it (apt-get install python3, or yum install python3)';
  hosts.get('kubminion1')!.nodeFacts!.listener = { status: 'nopython' };
  const d = run(hosts, (p) => (hostOf(p, 'target') === 'kubminion1' && p.kind === 'pod' && p.source.host !== 'kubminion1' ? { ok: false, reason: 'refused' } : undefined));
  t.deepEqual(roots(d.checks).map((c) => c.id), ['prober:kubminion1']);
  t.is(d.checks.find((c) => c.id === 'pods:kubminion1')!.cause, 'prober:kubminion1');
  t.regex(d.checks.find((c) => c.id === 'pods:kubminion1')!.diagnosis!, /python3 is missing/);
  t.true(d.checks.filter((c) => c.result !== 'pass' && c.kind === 'pod').every((c) => c.cause === 'prober:kubminion1' || c.cause === 'pods:kubminion1'));
});

test('a switch labsmith cannot read: layer 2 skipped with the reason', (t) => {
  const hosts = healthyHosts(lab);
  hosts.delete('mls');
  const probes = chooseProbes(lab);
  const reason = "labsmith cannot read a ios switch's table: compare it by hand";
  const d = diagnose({ lab, hosts, routerSkip: reason, probes, outcomes: allAnswered(probes) });
  const layer2 = d.checks.filter((c) => c.layer === 2);
  t.true(layer2.length === 4 && layer2.every((c) => c.result === 'skip'));
  t.is(d.skipped[2], reason);
  t.deepEqual(roots(d.checks), []);
});

test('the service range routed by the MLS fails layer 2', (t) => {
  const hosts = healthyHosts(lab);
  hosts.get('mls')!.routerFacts!.routes.push({ prefix: '10.100.0.0/24', nexthops: ['10.20.30.61'], installed: true, protocol: 'static' }, { prefix: '0.0.0.0/0', nexthops: ['198.18.0.2'], installed: true, protocol: 'static' });
  const d = run(hosts, () => undefined);
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [['service-range:mls', 'the MLS routes 10.100.0.0/24 via 10.20.30.61, inside the service range 10.100.0.0/16: the portal net is never routed, remove it']]);
});

test('services: probed where kube-proxy rules exist, a node without them fails', (t) => {
  const hosts = healthyHosts(lab);
  const rule = '-A KUBE-PORTALS-CONTAINER -d 10.100.87.105/32 -p tcp -m comment --comment "default/webfrontend:" -m tcp --dport 80 -j REDIRECT --to-ports 39770';
  for (const n of ['kubminion1', 'kubminion3', 'kubmasta']) hosts.get(n)!.nodeFacts!.natRules = [rule];
  const natOf = (node: string) => hosts.get(node)?.nodeFacts?.natRules ?? [];
  const probes = chooseProbes(lab, {
    outside: OUTSIDE,
    services: { clusterIP: (s, n) => natOf(n).some((r) => r.includes(s.clusterIP)), nodePort: () => false },
  });
  t.deepEqual(probes.filter((p) => p.layer === 5).map((p) => [p.id, p.host, p.source.name, `${p.wire.dst}:${p.wire.port}`]), [
    ['service:webfrontend@kubminion1', 'kubminion1', 'probe-kubminion1', '10.100.87.105:80'],
    ['service:webfrontend@kubminion3', 'kubminion3', 'probe-kubminion3', '10.100.87.105:80'],
  ]);
  const d = run(hosts, () => undefined, probes);
  t.deepEqual(roots(d.checks).map((c) => [c.id, c.diagnosis]), [
    ['service:webfrontend@kubminion2', 'kubminion2 has no rules for service webfrontend (10.100.87.105:80) while kubmasta, kubminion1, kubminion3 have: is kube-proxy running on kubminion2?'],
  ]);
  t.is(d.checks.find((c) => c.id === 'service:webfrontend@kubminion1')!.result, 'pass');
  t.is(d.skipped[5], undefined);
});
