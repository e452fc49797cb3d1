import test from 'ava';
import { readLabText } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { pathCauses } from '../../src/verify/diagnose-probes.js';
import { podNetns, podVeth, PROBE_PORT } from '../../src/verify/names.js';
import { byHost, natHasNodePort, natHasService, chooseProbes, podSetup, sourceNatRules } from '../../src/verify/probes.js';
import { generateLabYaml } from '../../bench/gen-lab.js';
import { exampleLabPlan, OUTSIDE } from './helpers.js';

let lab: Lab;
test.before(async () => {
  lab = await exampleLabPlan();
});

test('kubernetes-101: nodes ping nodes, every node, pod and the outside connects to every other pod', (t) => {
  const probes = chooseProbes(lab, { outside: OUTSIDE });
  const reach = probes.filter((p) => p.kind === 'reach');
  const pod = probes.filter((p) => p.kind === 'pod');
  t.is(reach.length, 4 * 3);
  t.true(reach.every((p) => p.wire.kind === 'icmp' && p.wire.netns === '-'));
  t.is(pod.length, (4 + 7 + 1) * 7 - 7);
  t.true(pod.every((p) => p.wire.kind === 'tcp' && p.wire.port === PROBE_PORT && p.checkPeer));
  t.is(new Set(probes.map((p) => p.id)).size, probes.length);
  const one = pod.find((p) => p.id === 'pod:web-controller-2-0>probe-kubminion3')!;
  t.deepEqual([one.host, one.wire.netns, one.wire.dst], ['kubminion1', 'lsmpod-web-controller-2-0', '10.10.30.3']);
  t.deepEqual(pod.find((p) => p.id === 'pod:kubminion1>web-controller-2-0')!.source.own, ['10.20.30.62', '10.10.10.1']);
});

test('one batch per host: minions carry their pods\' probes, the outside its own, the router none', (t) => {
  const batches = byHost(chooseProbes(lab, { outside: OUTSIDE }));
  t.deepEqual([...batches.keys()].sort(), ['kubmasta', 'kubminion1', 'kubminion2', 'kubminion3', 'outside']);
  t.is(batches.get('outside')!.length, 7);
  t.is(batches.get('kubmasta')!.length, 3 + 7);
  t.is(batches.get('kubminion1')!.length, 3 + 7 + 3 * 6);
});

test('probe pods: namespace and veth names, addresses with the pod CIDR length, docker0 as gateway', (t) => {
  const node = lab.nodes.find((n) => n.name === 'kubminion2')!;
  const s = podSetup(lab, node);
  t.deepEqual(s.pods.map((p) => [p.netns, p.address, p.gateway]), [
    ['lsmpod-web-controller-2-1', '10.10.20.2/24', '10.10.20.1'],
    ['lsmpod-probe-kubminion2', '10.10.20.3/24', '10.10.20.1'],
  ]);
  t.deepEqual(s.listen, [
    { netns: 'lsmpod-web-controller-2-1', port: PROBE_PORT },
    { netns: 'lsmpod-web-controller-2-1', port: 8080 },
    { netns: 'lsmpod-probe-kubminion2', port: PROBE_PORT },
  ]);
  for (const p of lab.pods) {
    t.regex(podVeth(p), /^lsmv[0-9a-f]{8}$/);
    t.true(podVeth(p).length <= 15);
    t.is(podNetns(p), `lsmpod-${p.name}`);
  }
  t.is(new Set(lab.pods.map(podVeth)).size, lab.pods.length);
});

test('a 50-node lab: probes and veth names stay unique', (t) => {
  const big = readLabText('/x/gen-50.lab.yaml', generateLabYaml(50)).lab;
  const probes = chooseProbes(big, { outside: OUTSIDE });
  t.is(new Set(probes.map((p) => p.id)).size, probes.length);
  t.is(new Set(big.pods.map(podVeth)).size, big.pods.length);
  t.true(Math.max(...[...byHost(probes).values()].map((b) => b.length)) < 500, 'no host runs more than a few hundred probes');
});

test('kube-proxy rules are recognised for cluster IPs and NodePorts (lab-facts shapes)', (t) => {
  const iptablesMode = [
    '-A KUBE-SERVICES -d 10.103.132.104/32 -p tcp -m comment --comment "default/db-service: cluster IP" -m tcp --dport 3306 -j KUBE-SVC-ABC',
    '-A KUBE-SEP-X -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:3306',
  ];
  t.true(natHasService(iptablesMode, '10.103.132.104', 3306));
  t.false(natHasService(iptablesMode, '10.103.132.104', 80));
  t.false(natHasService(iptablesMode, '10.103.132.10', 3306));
  const userspace = ['-A KUBE-PORTALS-HOST -d 10.100.87.105/32 -p tcp -m comment --comment "default/webfrontend:" -m tcp --dport 80 -j DNAT --to-destination 10.20.30.62:39770'];
  t.true(natHasService(userspace, '10.100.87.105', 80));
  const nodePorts = ['-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-service: NodePort" -m tcp --dport 30080 -j KUBE-SVC-XYZ123'];
  t.true(natHasNodePort(nodePorts, 30080));
  t.false(natHasNodePort(nodePorts, 30081));
  t.deepEqual(sourceNatRules(['-A POSTROUTING -s 10.10.10.0/24 -j MASQUERADE', '-A KUBE-POSTROUTING -j MARK', '-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4']), ['-A POSTROUTING -s 10.10.10.0/24 -j MASQUERADE', '-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4']);
});

test('the hops on a path: same node only the bridge, across nodes both ends and the MLS', (t) => {
  const probes = chooseProbes(lab, { outside: OUTSIDE });
  const causes = (id: string) => pathCauses(lab, probes.find((p) => p.id === id)!, 'mls');
  t.deepEqual(causes('pod:web-controller-2-0>web-controller-2-3'), ['docker0:kubminion1', 'pods:kubminion1', 'docker0:kubminion1', 'pods:kubminion1']);
  t.deepEqual(causes('pod:web-controller-2-0>web-controller-2-1'), [
    'docker0:kubminion1', 'pods:kubminion1', 'docker0:kubminion2', 'pods:kubminion2',
    'forwarding:kubminion1', 'gateway:kubminion1', 'route:10.10.10.0/24',
    'forwarding:mls', 'route:10.10.20.0/24', 'forwarding:kubminion2', 'gateway:kubminion2',
  ]);
  t.deepEqual(causes('pod:kubminion1>web-controller-2-1'), ['docker0:kubminion2', 'pods:kubminion2', 'gateway:kubminion1', 'forwarding:mls', 'route:10.10.20.0/24', 'forwarding:kubminion2']);
  t.deepEqual(causes('pod:outside>probe-kubminion3'), ['docker0:kubminion3', 'pods:kubminion3', 'forwarding:mls', 'route:10.10.30.0/24', 'forwarding:kubminion3', 'gateway:kubminion3']);
  t.deepEqual(causes('reach:kubmasta>kubminion1'), [], 'same segment: nothing but the wire');
  t.deepEqual(causes('reach:kubmasta>kubminion3'), ['gateway:kubmasta', 'gateway:kubminion3', 'forwarding:mls']);
});
