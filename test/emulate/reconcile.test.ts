// Reconciling a running emulated lab with a changed lab file, planned (pure): names of what
// stays are kept, and only what changed is touched.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { planReconcile } from '../../src/emulate/reconcile.js';
import { topologyOf } from '../../src/emulate/topology.js';
import { readLabText } from '../../src/lab/read.js';
import { exampleLab } from '../helpers/paths.js';

const k101 = async (edit: (s: string) => string = (s) => s) => readLabText('k101.lab.yaml', edit(await readFile(exampleLab('kubernetes-101'), 'utf8'))).lab;

test('the same lab: nothing to do', async (t) => {
  const running = topologyOf(await k101());
  const plan = planReconcile(running, topologyOf(await k101(), running));
  t.deepEqual(plan.summary, []);
  t.deepEqual(plan.fabric, []);
  t.deepEqual(plan.changed, []);
});

test('a node added, one removed, one re-addressed: kept hosts keep their veths', async (t) => {
  const running = topologyOf(await k101());
  const lab = await k101((s) =>
    s
      .replace(/^  - \{ name: kubminion2,.*\n/m, '')
      .replace('address: 10.20.30.62,', 'address: 10.20.30.70,')
      .replace(/^ssh:/m, '  - { name: kubminion4, role: minion, address: 192.168.10.65, podCidr: 10.10.40.0/24 }\nssh:'),
  );
  const next = topologyOf(lab, running);
  const plan = planReconcile(running, next);
  t.deepEqual(plan.removeHosts.map((h) => h.name), ['kubminion2']);
  t.deepEqual(plan.addHosts.map((h) => h.name), ['kubminion4']);
  const peer = (topo: typeof next, host: string) => topo.hosts.find((h) => h.name === host)!.interfaces[0]!.peer;
  for (const h of ['mls', 'kubmasta', 'kubminion1', 'kubminion3', 'outside']) t.is(peer(next, h), peer(running, h), `${h} keeps its veth`);
  // The new host's veth takes a name nobody held (not the removed kubminion2's).
  t.false(running.hosts.some((h) => h.interfaces.some((i) => i.peer === peer(next, 'kubminion4'))));
  t.deepEqual(plan.fabric, [`link add ${peer(next, 'kubminion4')} type veth peer name eth0 netns lsm-kubernetes-101.kubminion4`, `link set ${peer(next, 'kubminion4')} master b1 up`]);
  t.deepEqual(plan.changed.map((c) => [c.host.name, c.inside, c.addressChanged]), [
    ['kubminion1', ['addr flush dev eth0', 'addr add 10.20.30.70/24 dev eth0', 'route replace default via 10.20.30.1'], true],
  ]);
  t.deepEqual(plan.summary, [
    '- host kubminion2 (node, 10.20.30.63)',
    '+ host kubminion4 (node, 192.168.10.65)',
    'kubminion1: ~ eth0 10.20.30.62/24 (lab-a) -> 10.20.30.70/24 (lab-a)',
    'kubminion1: ~ reached at 10.20.30.62 -> 10.20.30.70',
  ]);
});

test('a segment added: a new bridge, a new router interface, the uplink bridge keeps its name', async (t) => {
  const running = topologyOf(await k101());
  const lab = await k101((s) =>
    s
      .replace('segments:\n', 'segments:\n  - { name: lab-c, cidr: 172.16.5.0/24, gateway: 172.16.5.1 }\n')
      .replace(/^ssh:/m, '  - { name: kubminion4, role: minion, address: 172.16.5.10, podCidr: 10.10.40.0/24 }\nssh:'),
  );
  const next = topologyOf(lab, running);
  t.deepEqual(next.bridges.map((b) => [b.segment, b.name]), [['lab-c', 'b3'], ['lab-a', 'b0'], ['lab-b', 'b1'], ['uplink', 'b2']]);
  const plan = planReconcile(running, next);
  t.deepEqual(plan.addBridges.map((b) => b.name), ['b3']);
  t.is(plan.fabric[0], 'link add b3 type bridge');
  // lab-c comes first in the file; the MLS's interfaces keep their names by segment, so it gets one more.
  const mls = plan.changed.find((c) => c.host.name === 'mls')!;
  t.deepEqual(mls.inside, ['addr add 172.16.5.1/24 dev eth3', 'link set eth3 up']);
  t.deepEqual(plan.summary.filter((l) => l.startsWith('mls') || l.includes('segment')), ['+ segment lab-c 172.16.5.0/24', 'mls: + eth3 172.16.5.1/24 (lab-c)']);
});

test('a segment removed: its bridge goes last, after the veths on it', async (t) => {
  const running = topologyOf(await k101());
  const lab = await k101((s) => s.replace(/^  - \{ name: lab-b,.*\n/m, '').replace(/^  - \{ name: kubminion3,.*\n/m, ''));
  const plan = planReconcile(running, topologyOf(lab, running));
  t.deepEqual(plan.removeBridges.map((b) => b.segment), ['lab-b']);
  t.is(plan.fabric.at(-1), 'link del b1');
  t.true(plan.summary.includes('- host kubminion3 (node, 192.168.10.64)'));
});
