import test from 'ava';
import { spawnSync } from 'node:child_process';
import type { Lab } from '../../src/lab/types.js';
import { diagnose } from '../../src/verify/diagnose.js';
import { totals, type VerifyHostRow, type VerifyReport } from '../../src/verify/model.js';
import { chooseProbes } from '../../src/verify/probes.js';
import { verifyJson, verifyJunit, verifyText } from '../../src/verify/report.js';
import { allAnswered, exampleLabPlan, healthyHosts, OUTSIDE } from './helpers.js';

let lab: Lab;
test.before(async () => {
  lab = await exampleLabPlan();
});

function report(broken: boolean): VerifyReport {
  const hosts = healthyHosts(lab);
  const probes = chooseProbes(lab, { outside: OUTSIDE });
  const outcomes = allAnswered(probes);
  if (broken) {
    hosts.get('mls')!.routerFacts!.routes = hosts.get('mls')!.routerFacts!.routes.filter((r) => r.prefix !== '10.10.20.0/24');
    for (const p of probes) if (p.kind === 'pod' && p.wire.dst.startsWith('10.10.20.') && p.source.host !== 'kubminion2') outcomes.set(p.id, { ok: false, reason: 'timeout' });
  }
  const { checks, skipped } = diagnose({ lab, hosts, outside: OUTSIDE, probes, outcomes });
  const runs: VerifyHostRow[] = [...hosts.values()].map((h) => ({ host: h.host, role: h.role, ssh: 'ok', commands: 2, connections: 1 }));
  const t = totals(checks, runs);
  return { lab: lab.name, emulated: true, ok: t.fail === 0, checks, hosts: runs, skipped, ms: 512, phases: { connect: 100 }, totals: t };
}

test('--json: every check with layer, source, target, result, RTT, diagnosis and cause', (t) => {
  const doc = verifyJson(report(true)) as { ok: boolean; probePort: number; layers: { name: string; fail: number }[]; checks: Record<string, unknown>[]; totals: { rootCauses: number } };
  t.false(doc.ok);
  t.is(doc.probePort, 4244);
  t.deepEqual(doc.layers.map((l) => l.name), ['access', 'underlay', 'switch', 'bridges', 'pods', 'services']);
  for (const c of doc.checks) for (const k of ['id', 'layer', 'layerName', 'kind', 'source', 'target', 'result', 'rttMs', 'diagnosis', 'cause']) t.true(k in c, `${String(c.id)} has ${k}`);
  const route = doc.checks.find((c) => c.id === 'route:10.10.20.0/24')!;
  t.like(route, { layer: 2, result: 'fail', source: 'mls', target: '10.10.20.0/24', cause: null });
  const pod = doc.checks.find((c) => c.id === 'pod:outside>web-controller-2-1')!;
  t.like(pod, { layer: 4, result: 'fail', cause: 'route:10.10.20.0/24', rttMs: null });
  t.is(typeof doc.checks.find((c) => c.id === 'pod:outside>web-controller-2-0')!.rttMs, 'number');
  t.is(doc.totals.rootCauses, 1);
});

test('--junit: a suite per layer, failures, skips, well-formed', (t) => {
  const xml = verifyJunit(report(true));
  t.regex(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="labsmith verify kubernetes-101" tests="\d+" failures="\d+" errors="0" skipped="1"/);
  t.is(xml.match(/<testsuite /g)!.length, 6);
  t.regex(xml, /<testcase classname="labsmith.verify.switch" name="route mls -&gt; 10.10.20.0\/24"><failure message="the MLS has no route to 10.10.20.0\/24 \(kubminion2\): add it or run apply" type="route">/);
  t.regex(xml, /<failure message="[^"]*explained by: the MLS has no route[^"]*" type="caused by route:10.10.20.0\/24">timeout<\/failure>/);
  t.regex(xml, /<skipped message="nothing implements service webfrontend/);
  // A real XML parser reads it back: the case count matches.
  const parsed = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); print(len(r.findall(".//testcase")), len(r.findall(".//failure")))'], { input: xml, encoding: 'utf8' });
  if (parsed.error) throw new Error('python3 is not installed: this test needs it (apt-get install python3)');
  t.is(parsed.status, 0, parsed.stderr);
  const r = report(true);
  t.is(parsed.stdout.trim(), `${r.totals.checks} ${r.totals.fail}`);
});

test('terminal: layer table, matrix with RTTs and legend, failures under their root cause', (t) => {
  const text = verifyText(report(true), lab, { color: false, matrix: true, width: 140 });
  t.regex(text, /^verify kubernetes-101 \(emulated\): \d+ checks on 6 hosts in 0\.5 s/);
  t.regex(text, /2 switch\s+3\s+1\s+0\s+0/);
  t.regex(text, /reachability \(RTT ms/);
  t.regex(text, /\n1 kubmasta {3}2 kubminion1/);
  t.regex(text, /outside\s+(0\.6\s+✗|[^\n]*✗)/);
  t.regex(text, /FAILED\n {2}✗ \[2 switch\] the MLS has no route to 10\.10\.20\.0\/24 \(kubminion2\): add it or run apply\n {6}explains \d+ other checks: \d+ pod probes/);
  t.notRegex(text, /\[4 pods\]/, 'the pod failures it explains are not listed as problems of their own');
  t.regex(text, /verify: FAILED \(\d+ failed, \d+ unknown, \d+ passed\)\n$/);
  const ok = verifyText(report(false), lab, { color: false, matrix: false });
  t.notRegex(ok, /reachability/);
  t.regex(ok, /verify: \d+ passed, 1 skipped: no node implements services \(no kube-proxy rules for webfrontend\)\n$/, 'a skipped layer is named on the last line');
});

test('a matrix too wide for the terminal folds to one row and column per node', (t) => {
  const text = verifyText(report(true), lab, { color: false, matrix: true, width: 60 });
  t.regex(text, /reachability per node/);
  t.regex(text, /outside\s+·\s+·\s+7\/7|outside[^\n]*\d+\/\d+/);
});
