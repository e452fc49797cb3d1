// End to end, as root: every example lab other than kubernetes-101 (which e2e-faults covers)
// passes every layer after up + apply; then, on the NodePort lab, rules standing in for
// kube-proxy's make layer 5 probe the service IP and the NodePorts, and a node without them
// is named.
import test, { type ExecutionContext } from 'ava';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, disposeLab, makeLab, requireEmulation, type TestLab } from '../emulate/helpers.js';
import { LAB_DIR } from '../helpers/paths.js';
import { emulatedPythonProblem } from '../../src/verify/run.js';

interface JsonReport {
  ok: boolean;
  checks: { id: string; layer: number; result: string; diagnosis: string | null; cause: string | null }[];
  layers: { layer: number; skipped?: string }[];
}

const labs = new Map<string, TestLab>();

test.before(() => {
  requireEmulation();
  const python = emulatedPythonProblem();
  if (python) throw new Error(`${python}: these tests need it`);
});

test.after.always(async () => {
  for (const tl of labs.values()) await disposeLab(tl);
});

async function upAndApply(example: string, tag: string): Promise<TestLab> {
  const tl = await makeLab(example, tag);
  labs.set(example, tl);
  const up = await cli(['emulate', 'up', tl.file], tl.env);
  if (up.code !== 0) throw new Error(`emulate up ${example}: ${up.stderr}`);
  const apply = await cli(['apply', tl.file, '--emulated', '--json'], tl.env);
  if (apply.code !== 0 && !onlyCriDockerdMissing(apply.stdout)) throw new Error(`apply ${example}: ${apply.stdout}${apply.stderr}`);
  return tl;
}

/** The emulated hosts run the units for real. cri-dockerd is no Debian package: until the
 * emulated lab installs its stand-in (scripts/standins/cri-dockerd), a 1.24+ lab's apply fails
 * at exactly that restart, after docker and every file are in place; nothing else may fail. */
function onlyCriDockerdMissing(json: string): boolean {
  const report = JSON.parse(json) as { hosts: { status: string; handlers: string[]; error?: { message: string } }[] };
  const failed = report.hosts.filter((h) => h.status === 'failed');
  return failed.length > 0 && failed.every((h) => /Job for cri-docker\.service failed/.test(h.error?.message ?? ''));
}

async function verify(tl: TestLab): Promise<{ code: number; report: JsonReport }> {
  const r = await cli(['verify', tl.file, '--emulated', '--json'], tl.env);
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
  } catch {
    throw new Error(`verify printed no JSON (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
  }
}

function assertPass(t: ExecutionContext, r: { code: number; report: JsonReport }): void {
  t.deepEqual(r.report.checks.filter((c) => c.result === 'fail' || c.result === 'unknown').map((c) => `${c.id}: ${c.diagnosis}`), []);
  t.is(r.code, 0);
}

test('every example lab is listed here or in e2e-faults', (t) => {
  const examples = readdirSync(LAB_DIR).filter((f) => f.endsWith('.lab.yaml')).map((f) => f.replace(/\.lab\.yaml$/, '')).sort();
  t.deepEqual(examples, ['kubernetes-101', 'nodeport', 'service-routes']);
});

test.serial('service-routes: one segment, FRR: every layer passes, services skipped', async (t) => {
  const tl = await upAndApply('service-routes', 'vsr');
  const r = await verify(tl);
  assertPass(t, r);
  for (const l of [0, 1, 2, 3, 4]) t.true(r.report.checks.some((c) => c.layer === l && c.result === 'pass'), `layer ${l} checked`);
  t.is(r.report.layers.find((l) => l.layer === 5)!.skipped!, 'no node implements services (no kube-proxy rules for db-service)');
  t.true(r.report.checks.some((c) => c.id === 'service:db-service' && c.result === 'skip' && /nothing implements service db-service \(10\.103\.132\.104:3306\)/.test(c.diagnosis ?? '')));

  // Without --emulated while only the copy is up: said before connecting and after every host
  // failed. No credentials exist in this HOME, so nothing is sent to the lab's real addresses.
  const home = await mkdtemp(path.join(tmpdir(), 'labsmith-nohome-'));
  try {
    const env = { ...tl.env, HOME: home, SSH_AUTH_SOCK: '' };
    const phys = await cli(['verify', tl.file], env);
    t.is(phys.code, 1);
    t.regex(phys.stderr, new RegExp(`note: the emulated copy of ${tl.name} is up on this machine; without --emulated, verify goes to the lab's real hosts .*labsmith verify ${tl.file} --emulated`));
    t.regex(phys.stderr, new RegExp(`every host failed: .* its emulated copy is up: labsmith verify ${tl.file} --emulated`));
    const plan = await cli(['plan', tl.file], env);
    t.regex(plan.stderr, new RegExp(`labsmith plan ${tl.file} --emulated`));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  t.is((await cli(['down', tl.file], tl.env)).code, 0);
});

test.serial('nodeport: a Linux MLS read with ip -j route; every layer passes', async (t) => {
  const tl = await upAndApply('nodeport', 'vnp');
  const r = await verify(tl);
  assertPass(t, r);
  t.is(r.report.checks.filter((c) => c.layer === 2 && c.result === 'pass').length, 4);
});

test.serial('nodeport: with rules standing in for kube-proxy, the service IP and every NodePort answer; a node without them is named', async (t) => {
  const tl = labs.get('nodeport')!;
  const svc = tl.lab.services[0]!;
  const ep = svc.endpoints[1]!;
  const exec = (host: string, ...argv: string[]) => cli(['emulate', 'exec', tl.file, host, '--', ...argv], tl.env);
  for (const n of tl.lab.nodes) {
    const rules = [
      ['-A', 'PREROUTING', '-d', `${svc.clusterIP}/32`, '-p', 'tcp', '--dport', String(svc.port), '-j', 'DNAT', '--to-destination', `${ep.ip}:${ep.port}`],
      ['-A', 'PREROUTING', '-p', 'tcp', '--dport', String(svc.nodePort), '-j', 'DNAT', '--to-destination', `${ep.ip}:${ep.port}`],
      // kube-proxy masquerades NodePort traffic so replies come back through the node.
      ['-A', 'POSTROUTING', '-m', 'conntrack', '--ctstate', 'DNAT', '--ctorigdstport', String(svc.nodePort), '-j', 'MASQUERADE'],
    ];
    for (const rule of rules) t.is((await exec(n.name, 'iptables', '-t', 'nat', ...rule)).code, 0);
  }
  const r = await verify(tl);
  assertPass(t, r);
  const layer5 = r.report.checks.filter((c) => c.layer === 5);
  t.deepEqual(layer5.map((c) => [c.id, c.result]).sort(), [
    ['nodeport:nginx-svc@control', 'pass'],
    ['nodeport:nginx-svc@node-1', 'pass'],
    ['nodeport:nginx-svc@node-2', 'pass'],
    ['nodeport:nginx-svc@node-3', 'pass'],
    ['service:nginx-svc@node-1', 'pass'],
    ['service:nginx-svc@node-2', 'pass'],
    ['service:nginx-svc@node-3', 'pass'],
  ]);

  t.is((await exec('node-3', 'iptables', '-t', 'nat', '-F', 'PREROUTING')).code, 0);
  const broken = await verify(tl);
  t.is(broken.code, 1);
  const failed = broken.report.checks.filter((c) => c.result === 'fail').map((c) => [c.id, c.diagnosis]);
  t.deepEqual(failed, [
    ['service:nginx-svc@node-3', 'node-3 has no rules for service nginx-svc (10.96.0.2:80) while control, node-1, node-2 have: is kube-proxy running on node-3?'],
    ['nodeport:nginx-svc@node-3', 'node-3 has no rules for NodePort 30080 (nginx-svc) while other nodes do: is kube-proxy running there?'],
  ]);
  t.is((await cli(['down', tl.file], tl.env)).code, 0);
});
