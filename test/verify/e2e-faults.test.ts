// End to end, as root, on one emulated kubernetes-101 (a renamed copy): up + apply, verify
// passes every layer; then one fault at a time, verify fails naming that fault and nothing
// else, apply (and, for what apply does not own, a hand repair) makes it pass again; then
// --cleanup and down leave nothing behind. The cases share the lab, so they run serially.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { assertNothingRemains, cli, disposeLab, isAlive, makeLab, pidsInLab, requireEmulation, type TestLab } from '../emulate/helpers.js';
import { emulatedPythonProblem } from '../../src/verify/run.js';

interface JsonCheck {
  id: string;
  layer: number;
  kind: string;
  source: string;
  target: string;
  result: 'pass' | 'fail' | 'skip' | 'unknown';
  rttMs: number | null;
  diagnosis: string | null;
  cause: string | null;
}
interface JsonReport {
  ok: boolean;
  checks: JsonCheck[];
  totals: { checks: number; fail: number; unknown: number; rootCauses: number; commands: number; connections: number };
  hosts: { host: string; commands: number }[];
  layers: { layer: number; skipped?: string }[];
}

let tl: TestLab;

test.before(async () => {
  requireEmulation();
  const python = emulatedPythonProblem();
  if (python) throw new Error(`${python}: these tests need it`);
  tl = await makeLab('kubernetes-101', 'vfault');
  // `up` is the newcomer's one command: build, apply, verify; it exits 0 only when verify passes.
  const up = await cli(['up', tl.file], tl.env);
  if (up.code !== 0 || !/\nverify: (all \d+ checks passed|\d+ passed, \d+ skipped: [^\n]+)\n/.test(up.stdout)) throw new Error(`up failed (exit ${up.code}): ${up.stdout}\n${up.stderr}`);
  const apply = await cli(['apply', tl.file, '--emulated'], tl.env);
  if (apply.code !== 0) throw new Error(`apply failed: ${apply.stdout}\n${apply.stderr}`);
});

test.after.always(async () => {
  await disposeLab(tl);
});

async function verify(t: ExecutionContext, ...extra: string[]): Promise<{ code: number; report: JsonReport }> {
  const r = await cli(['verify', tl.file, '--emulated', '--json', ...extra], tl.env);
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    t.log(r.stderr);
    throw new Error(`verify printed no JSON (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
  }
  return { code: r.code, report };
}

const exec = async (host: string, ...command: string[]) => {
  const r = await cli(['emulate', 'exec', tl.file, host, '--', ...command], tl.env);
  if (r.code !== 0) throw new Error(`${host}: ${command.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};

/** Failed or unknown checks that no other check explains. */
const roots = (r: JsonReport) => r.checks.filter((c) => (c.result === 'fail' || c.result === 'unknown') && !c.cause);

/** verify fails with exactly one root cause, `id`, whose diagnosis matches; everything else
 * that did not pass is attributed to it. */
async function assertOnlyFault(t: ExecutionContext, id: string, diagnosis: RegExp): Promise<JsonReport> {
  const { code, report } = await verify(t);
  t.is(code, 1);
  t.false(report.ok);
  t.deepEqual(roots(report).map((c) => c.id), [id], roots(report).map((c) => `${c.id}: ${c.diagnosis}`).join('\n'));
  t.regex(roots(report)[0]!.diagnosis!, diagnosis);
  const others = report.checks.filter((c) => c.result !== 'pass' && c.result !== 'skip' && c.id !== id);
  t.deepEqual(others.filter((c) => c.cause !== id).map((c) => c.id), [], 'every other failure is attributed to the fault');
  return report;
}

async function assertAllPass(t: ExecutionContext): Promise<JsonReport> {
  const { code, report } = await verify(t);
  const bad = report.checks.filter((c) => c.result === 'fail' || c.result === 'unknown');
  t.deepEqual(bad.map((c) => `${c.id}: ${c.diagnosis}`), []);
  t.is(code, 0);
  t.true(report.ok);
  return report;
}

async function applyAgain(t: ExecutionContext): Promise<void> {
  const r = await cli(['apply', tl.file, '--emulated'], tl.env);
  t.is(r.code, 0, r.stdout + r.stderr);
}

test.serial('after up and apply every layer passes; one connection per host, a facts and a probe command', async (t) => {
  const report = await assertAllPass(t);
  const byLayer = (l: number) => report.checks.filter((c) => c.layer === l);
  for (const l of [0, 1, 2, 3, 4]) t.true(byLayer(l).length > 0 && byLayer(l).every((c) => c.result === 'pass'), `layer ${l}`);
  t.true(byLayer(5).every((c) => c.result === 'skip'));
  t.is(report.layers.find((l) => l.layer === 5)!.skipped!, 'no node implements services (no kube-proxy rules for webfrontend)');
  // 4 nodes x 3 pings, (4 nodes + 7 pods + outside) x 7 pods - 7 self
  t.is(report.checks.filter((c) => c.kind === 'reach').length, 12);
  t.is(report.checks.filter((c) => c.kind === 'pod').length, 77);
  t.true(report.checks.filter((c) => c.kind === 'pod').every((c) => typeof c.rttMs === 'number'));
  t.is(report.totals.connections, 6);
  t.deepEqual(Object.fromEntries(report.hosts.map((h) => [h.host, h.commands])), { mls: 1, kubmasta: 2, kubminion1: 2, kubminion2: 2, kubminion3: 2, outside: 1 });
});

test.serial('probe pods are what a pause container holds: a namespace, a veth into docker0, the planned address', async (t) => {
  const netns = await exec('kubminion2', 'ip', 'netns', 'list');
  t.regex(netns, /lsmpod-web-controller-2-1/);
  t.regex(netns, /lsmpod-probe-kubminion2/);
  const inside = await exec('kubminion2', 'ip', '-n', 'lsmpod-probe-kubminion2', '-4', '-o', 'addr', 'show', 'dev', 'eth0');
  t.regex(inside, /inet 10\.10\.20\.3\/24/);
  t.regex(await exec('kubminion2', 'ip', '-n', 'lsmpod-probe-kubminion2', 'route', 'show', 'default'), /default via 10\.10\.20\.1 dev eth0/);
  const ports = await exec('kubminion2', 'ip', '-o', 'link', 'show', 'master', 'docker0');
  t.is(ports.split('\n').filter((l) => /lsmv[0-9a-f]{8}@/.test(l)).length, 2);
  const listening = await exec('kubminion2', 'ip', 'netns', 'exec', 'lsmpod-web-controller-2-1', 'ss', '-Hltn');
  t.regex(listening, /0\.0\.0\.0:4244/);
  t.regex(listening, /0\.0\.0\.0:8080/, "a workload pod listens on its workload's port");
});

test.serial('a second run reuses the pods and the listener; text, JUnit and exit status', async (t) => {
  const before = await pidsInLab(tl, 'listener.py');
  t.is(before.length, 3, 'one listener per minion');
  const junit = `${tl.dir}/verify.xml`;
  const r = await cli(['verify', tl.file, '--emulated', '--junit', junit], tl.env);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /verify: (all \d+ checks passed|\d+ passed, \d+ skipped: )/);
  t.regex(r.stdout, /5 services\s+0\s+0\s+1\s+0/);
  t.deepEqual(await pidsInLab(tl, 'listener.py'), before, 'the listeners were kept');
  const xml = readFileSync(junit, 'utf8');
  t.regex(xml, /<testsuites name="labsmith verify [^"]+" tests="\d+" failures="0" errors="0" skipped="1"/);
});

test.serial('fault: an MLS route deleted', async (t) => {
  await exec('mls', 'vtysh', '-c', 'configure terminal', '-c', 'no ip route 10.10.20.0/24 10.20.30.63 tag 4242');
  const r = await assertOnlyFault(t, 'route:10.10.20.0/24', /^the MLS has no route to 10\.10\.20\.0\/24 \(kubminion2\): add it or run apply$/);
  t.true(r.checks.filter((c) => c.cause === 'route:10.10.20.0/24').length >= 20, 'the pod failures it causes are attributed to it');
  await applyAgain(t);
  await assertAllPass(t);
});

test.serial('fault: an MLS route pointing at the wrong node', async (t) => {
  await exec('mls', 'vtysh', '-c', 'configure terminal', '-c', 'no ip route 10.10.30.0/24 192.168.10.64 tag 4242', '-c', 'ip route 10.10.30.0/24 10.20.30.62 tag 4242');
  await assertOnlyFault(t, 'route:10.10.30.0/24', /^the MLS routes 10\.10\.30\.0\/24 via 10\.20\.30\.62 \(kubminion1\), not via 192\.168\.10\.64 \(kubminion3\): fix it or run apply$/);
  await applyAgain(t);
  await assertAllPass(t);
});

test.serial('fault: forwarding off on a minion', async (t) => {
  await exec('kubminion3', 'sysctl', '-qw', 'net.ipv4.ip_forward=0');
  await assertOnlyFault(t, 'forwarding:kubminion3', /^kubminion3 has forwarding off/);
  await applyAgain(t);
  await assertAllPass(t);
});

test.serial('fault: docker0 down on a minion', async (t) => {
  await exec('kubminion2', 'ip', 'link', 'set', 'docker0', 'down');
  const r = await assertOnlyFault(t, 'docker0:kubminion2', /^docker0 on kubminion2 is down/);
  t.is(r.checks.find((c) => c.id === 'pod:kubminion2>probe-kubminion2')!.cause, 'docker0:kubminion2', 'even the node cannot reach its own pods');
  await applyAgain(t);
  await assertAllPass(t);
});

test.serial('fault: a masquerade rule for pod traffic on a minion', async (t) => {
  await exec('kubminion1', 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.10.10.0/24', '-j', 'MASQUERADE');
  const r = await assertOnlyFault(t, 'nat:kubminion1', /^kubminion1 NATs its pods' traffic: .* remove the rule '-A POSTROUTING -s 10\.10\.10\.0\/24 -j MASQUERADE' in kubminion1's nat table$/);
  const seen = r.checks.find((c) => c.id === 'pod:web-controller-2-0>web-controller-2-1')!;
  t.is(seen.diagnosis, 'reply from 10.10.20.2 seen from 10.20.30.62 (kubminion1), not 10.10.10.2: something NATs pod traffic');
  // apply does not own the nat table, so the rule stays until removed by hand.
  await applyAgain(t);
  await exec('kubminion1', 'iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', '10.10.10.0/24', '-j', 'MASQUERADE');
  await assertAllPass(t);
});

test.serial("fault: a node's sshd stopped: reported as unreachable, its checks unknown, no peer blamed", async (t) => {
  await exec('kubminion2', 'systemctl', 'stop', 'ssh');
  const r = await assertOnlyFault(t, 'ssh:kubminion2', /^kubminion2 is unreachable over SSH \(connect: .*\): its checks are unknown, not failed$/);
  t.is(r.totals.fail, 1, 'only the SSH check failed');
  t.true(r.totals.unknown > 0);
  t.is(r.checks.find((c) => c.id === 'pod:kubminion1>web-controller-2-1')!.result, 'pass', 'its pods still answer the others');
  const blind = await cli(['apply', tl.file, '--emulated'], tl.env);
  t.is(blind.code, 1, 'apply cannot reach it either');
  await exec('kubminion2', 'systemctl', 'start', 'ssh');
  await applyAgain(t);
  await assertAllPass(t);
});

test.serial('--cleanup removes the probe pods and listeners; the next run makes them again; down leaves nothing', async (t) => {
  const listeners = await pidsInLab(tl, 'listener.py');
  t.true(listeners.length >= 3);
  const c = await cli(['verify', tl.file, '--emulated', '--cleanup'], tl.env);
  t.is(c.code, 0, c.stdout + c.stderr);
  t.regex(c.stdout, /cleanup: removed 7 probe pods on 4 hosts/);
  t.false((await exec('kubminion1', 'ip', 'netns', 'list')).includes('lsmpod-'));
  t.false((await exec('kubminion1', 'ip', 'link', 'show')).includes('lsmv'));
  t.false((await exec('kubminion1', 'sh', '-c', 'ls /run')).includes('labsmith-verify'));
  for (const pid of listeners) t.false(isAlive(pid), `listener ${pid} stopped`);
  await assertAllPass(t);
  const again = await pidsInLab(tl, 'listener.py');
  t.is(again.length, 3);
  const down = await cli(['down', tl.file], tl.env);
  t.is(down.code, 0, down.stderr);
  await assertNothingRemains(t, tl, again);
  t.false(existsSync(`/proc/${again[0]}`) && isAlive(again[0]!));
});
