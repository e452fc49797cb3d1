import test from 'ava';
import { clockRows, nodeNeeds, preflightChecks, type NodeNeeds, type PreflightRow } from '../../src/apply/preflight.js';
import type { PreflightFacts } from '../../src/hosts/preflight-facts.js';
import { readLab } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { placeholderPki } from '../../src/pki/index.js';
import { renderLab } from '../../src/render/index.js';
import { exampleLab } from '../helpers/paths.js';

const labOf = async (name: string) => (await readLab(exampleLab(name))).lab;
const needsOf = (lab: Lab, host: string) => nodeNeeds(lab, renderLab(lab, lab.kubernetes.dialect === 'modern' ? { pki: placeholderPki(lab) } : {}).find((r) => r.host === host)!);

/** A host fit for the node: every check passes. */
function clean(needs: NodeNeeds): PreflightFacts {
  const fam = /^([a-z]+)(\d+)$/.exec(needs.os)!;
  return {
    clock: 0,
    forwarding: true,
    systemd: true,
    natRules: [],
    os: { id: fam[1]!, versionId: fam[2]! },
    swaps: [],
    brNetfilter: { loaded: true, callIptables: true },
    forwardPolicy: 'ACCEPT',
    listeners: [],
    cgroupFs: 'tmpfs',
    binaries: new Map(needs.binaries.map((b) => [b.path, { state: 'ok' as const, version: 'v1.28.0' }])),
    ...(needs.docker0 ? { docker0: { up: true, addresses: [needs.docker0] } } : {}),
  };
}
const row = (rows: PreflightRow[], check: string) => rows.find((r) => r.check === check);

test('nodeNeeds reads binaries and ports from the rendered units', async (t) => {
  const lab = await labOf('nodeport');
  const master = needsOf(lab, lab.nodes.find((n) => n.role === 'master')!.name);
  t.deepEqual(master.ports.map((p) => `${p.port} ${p.unit}`).sort(), ['2379 etcd.service', '6443 kube-apiserver.service']);
  t.false(master.kubelet);
  const minion = needsOf(lab, lab.nodes.find((n) => n.role === 'minion')!.name);
  t.true(minion.kubelet);
  t.true(minion.bridgeNetfilter, 'iptables kube-proxy');
  t.true(minion.binaries.some((b) => b.path === '/opt/kubernetes/kubelet'));
  t.false(minion.binaries.some((b) => b.path.startsWith('/etc/')), 'a script the rendering pushes is not a binary to look for');
  t.deepEqual(minion.ports.map((p) => p.port), [10250]);
  t.regex(minion.docker0!, /^10\.\d+\.\d+\.1\/24$/);
  const legacy = await labOf('kubernetes-101');
  t.deepEqual(needsOf(legacy, 'kubmasta').ports.map((p) => p.port).sort(), [4001, 8080]);
  t.false(needsOf(legacy, 'kubminion1').bridgeNetfilter, 'userspace kube-proxy needs no br_netfilter');
});

test('a clean host passes every check, on a modern and a legacy lab', async (t) => {
  for (const [name, host] of [['nodeport', 'node-1'], ['kubernetes-101', 'kubminion1'], ['kubernetes-101', 'kubmasta']] as const) {
    const lab = await labOf(name);
    const needs = needsOf(lab, host);
    const rows = preflightChecks(needs, clean(needs), { lab, emulated: false });
    t.deepEqual(rows.filter((r) => r.status !== 'ok'), [], `${name} ${host}`);
    t.true(rows.every((r) => r.fix === undefined));
  }
});

test('each check fails (or warns) with its fix', async (t) => {
  const lab = await labOf('nodeport');
  const needs = needsOf(lab, 'node-1');
  const f = clean(needs);
  const bad: PreflightFacts = {
    ...f,
    os: { id: 'debian', versionId: '12' },
    systemd: false,
    swaps: ['/swapfile'],
    brNetfilter: { loaded: false },
    forwarding: false,
    forwardPolicy: 'DROP',
    docker0: { up: true, addresses: ['172.17.0.1/16'] },
    listeners: [{ local: '0.0.0.0:10250', port: 10250, processes: [{ name: 'python3', pid: 42 }] }],
    binaries: new Map([['/opt/kubernetes/kubelet', { state: 'noexec' }]]),
  };
  const rows = preflightChecks(needs, bad, { lab, emulated: false });
  t.like(row(rows, 'os'), { status: 'fail', detail: 'debian12, the lab says ubuntu22' });
  t.like(row(rows, 'systemd'), { status: 'fail' });
  t.like(row(rows, 'swap'), { status: 'fail', fix: 'swapoff -a, and remove the swap line from /etc/fstab' });
  t.like(row(rows, 'br_netfilter'), { status: 'fail' });
  t.regex(row(rows, 'br_netfilter')!.fix!, /modprobe br_netfilter/);
  t.like(row(rows, 'forwarding'), { status: 'warn' });
  t.like(row(rows, 'FORWARD policy'), { status: 'warn' }, "labsmith-forward.service copes with docker's DROP");
  t.like(row(rows, 'docker0'), { status: 'warn' });
  t.like(row(rows, 'port 10250'), { status: 'fail', detail: 'held by python3 (pid 42): kubelet.service needs it' });
  t.like(row(rows, 'kubelet'), { status: 'fail', fix: 'chmod 0755 /opt/kubernetes/kubelet on node-1' });
  t.like(row(rows, 'kube-proxy'), { status: 'fail', detail: '/opt/kubernetes/kube-proxy missing (kube-proxy.service)' });
  t.true(rows.filter((r) => r.status !== 'ok').every((r) => r.fix), 'every failure and warning names its fix');
  const half = preflightChecks(needs, { ...f, brNetfilter: { loaded: true, callIptables: false } }, { lab, emulated: false });
  t.like(row(half, 'br_netfilter'), { status: 'fail', detail: 'loaded, bridge-nf-call-iptables = 0' });
});

test('a port held by the unit\'s own binary passes; by a process ss cannot name warns', async (t) => {
  const lab = await labOf('nodeport');
  const needs = needsOf(lab, 'control');
  const own = preflightChecks(needs, { ...clean(needs), listeners: [{ local: '0.0.0.0:6443', port: 6443, processes: [{ name: 'kube-apiserver', pid: 7 }] }] }, { lab, emulated: false });
  t.like(row(own, 'port 6443'), { status: 'ok' });
  const unnamed = preflightChecks(needs, { ...clean(needs), listeners: [{ local: '0.0.0.0:6443', port: 6443, processes: [] }] }, { lab, emulated: false });
  t.like(row(unnamed, 'port 6443'), { status: 'warn' });
});

test('cgroup v2 refuses a kubelet before 1.25, not 1.28 or a master', async (t) => {
  const old = await labOf('service-routes');
  const minion = old.nodes.find((n) => n.role === 'minion')!.name;
  const needs = needsOf(old, minion);
  const rows = preflightChecks(needs, { ...clean(needs), cgroupFs: 'cgroup2fs' }, { lab: old, emulated: false });
  t.like(row(rows, 'cgroup'), { status: 'fail', fix: 'boot with systemd.unified_cgroup_hierarchy=0, or use Kubernetes >= 1.25' });
  t.regex(row(rows, 'cgroup')!.detail, /1\.11/);
  const modern = await labOf('nodeport');
  const n = needsOf(modern, 'node-1');
  t.is(row(preflightChecks(n, { ...clean(n), cgroupFs: 'cgroup2fs' }, { lab: modern, emulated: false }), 'cgroup'), undefined);
  const master = needsOf(old, old.nodes.find((x) => x.role === 'master')!.name);
  t.is(row(preflightChecks(master, { ...clean(master), cgroupFs: 'cgroup2fs' }, { lab: old, emulated: false }), 'cgroup'), undefined);
});

test('swap on a legacy kubelet warns; FORWARD DROP without labsmith-forward fails', async (t) => {
  const lab = await labOf('kubernetes-101');
  const needs = needsOf(lab, 'kubminion1');
  t.like(row(preflightChecks(needs, { ...clean(needs), swaps: ['/dev/sda2'] }, { lab, emulated: false }), 'swap'), { status: 'warn' });
  const noChain = { ...needs, forwardChain: false };
  t.like(row(preflightChecks(noChain, { ...clean(needs), forwardPolicy: 'DROP' }, { lab, emulated: false }), 'FORWARD policy'), { status: 'fail' });
});

test('the emulated lab: another OS family and no systemd warn, never fail', async (t) => {
  const lab = await labOf('kubernetes-101');
  const needs = needsOf(lab, 'kubminion1');
  const rows = preflightChecks(needs, { ...clean(needs), os: { id: 'debian', versionId: '12' }, systemd: false }, { lab, emulated: true });
  t.like(row(rows, 'os'), { status: 'warn', detail: 'emulated host is debian12, the lab says centos7: family not checked' });
  t.like(row(rows, 'systemd'), { status: 'warn' });
});

test('clock: within the round trip is no skew; beyond 2 s fails; hosts apart from each other fail', (t) => {
  const ok = clockRows([{ host: 'a', remote: 100.5, sentAt: 100, receivedAt: 101 }]);
  t.like(ok[0], { status: 'ok', detail: "within this machine's clock (round trip 1.00 s)" });
  const ahead = clockRows([{ host: 'a', remote: 104, sentAt: 100, receivedAt: 101 }]);
  t.like(ahead[0], { status: 'fail', detail: "+3.00 s off this machine's clock (round trip 1.00 s)" });
  t.regex(ahead[0]!.fix!, /sync a's clock/);
  t.like(clockRows([{ host: 'a', remote: 101.5, sentAt: 100, receivedAt: 100.1 }])[0], { status: 'ok' }, '1.4 s is within the limit');
  const apart = clockRows([
    { host: 'a', remote: 101.9, sentAt: 100, receivedAt: 100.1 },
    { host: 'b', remote: 98.2, sentAt: 100, receivedAt: 100.1 },
  ]);
  t.deepEqual(apart.map((r) => r.status), ['ok', 'ok', 'fail']);
  t.like(apart[2], { host: '(lab)', detail: "hosts' clocks at least 3.60 s apart" });
});
