// The address plan: every derived address of the example labs, and the allocation rules.
import test from 'ava';
import { readLab } from '../../src/lab/read.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';

test('kubernetes-101: docker0 gateways, MLS routes and default routes', (t) => {
  const { lab } = readOk(K101);
  const minions = lab.nodes.filter((n) => n.role === 'minion');
  t.deepEqual(
    minions.map((n) => [n.name, n.docker0!.prefix.cidr, n.docker0!.gateway, n.gateway]),
    [
      ['kubminion1', '10.10.10.0/24', '10.10.10.1', '10.20.30.1'],
      ['kubminion2', '10.10.20.0/24', '10.10.20.1', '10.20.30.1'],
      ['kubminion3', '10.10.30.0/24', '10.10.30.1', '192.168.10.1'],
    ],
  );
  t.is(lab.nodes[0]!.docker0, undefined);
  t.deepEqual(
    lab.router.routes.map((r) => `${r.prefix.cidr} via ${r.via} (${r.node}, ${r.segment})`),
    ['10.10.10.0/24 via 10.20.30.62 (kubminion1, lab-a)', '10.10.20.0/24 via 10.20.30.63 (kubminion2, lab-a)', '10.10.30.0/24 via 192.168.10.64 (kubminion3, lab-b)'],
  );
  t.deepEqual(lab.router.interfaces.map((i) => `${i.address}/${i.prefix.length}`), ['10.20.30.1/24', '192.168.10.1/24']);
});

test('kubernetes-101: the legacy defaults of the era', (t) => {
  const { lab } = readOk(K101);
  t.like(lab.kubernetes, { dialect: 'legacy', proxyMode: 'userspace', apiserverPort: 8080, etcdPort: 4001, binDir: '/opt/kubernetes', apiserverServiceIP: '10.100.0.1', masterAddress: '10.20.30.61' });
});

test('replicas spread over minions in turn, then one probe per minion', (t) => {
  const { lab } = readOk(K101);
  t.deepEqual(
    lab.pods.map((p) => `${p.name}@${p.node}=${p.ip}`),
    [
      'web-controller-2-0@kubminion1=10.10.10.2',
      'web-controller-2-1@kubminion2=10.10.20.2',
      'web-controller-2-2@kubminion3=10.10.30.2',
      'web-controller-2-3@kubminion1=10.10.10.3',
      'probe-kubminion1@kubminion1=10.10.10.4',
      'probe-kubminion2@kubminion2=10.10.20.3',
      'probe-kubminion3@kubminion3=10.10.30.3',
    ],
  );
  t.deepEqual(lab.services[0]!.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.10.10.2:8080', '10.10.20.2:8080', '10.10.30.2:8080', '10.10.10.3:8080']);
});

test('pod CIDRs are allocated in node order from clusterCidr, skipping named ones', (t) => {
  let text = edit(K101, '  proxyMode: userspace\n', '  proxyMode: userspace\n  clusterCidr: 10.10.0.0/16\n');
  text = edit(text, ', podCidr: 10.10.10.0/24', '');
  text = edit(text, 'podCidr: 10.10.20.0/24', 'podCidr: 10.10.0.0/24');
  text = edit(text, ', podCidr: 10.10.30.0/24', '');
  const { lab } = readOk(text);
  t.deepEqual(
    lab.nodes.filter((n) => n.docker0).map((n) => [n.name, n.docker0!.prefix.cidr, n.podCidrAllocated]),
    [
      ['kubminion1', '10.10.1.0/24', true],
      ['kubminion2', '10.10.0.0/24', false],
      ['kubminion3', '10.10.2.0/24', true],
    ],
  );
});

test('nodeCidrMask sets the size of allocated pod CIDRs', (t) => {
  let text = edit(K101, '  proxyMode: userspace\n', '  proxyMode: userspace\n  clusterCidr: 10.10.0.0/16\n  nodeCidrMask: 26\n');
  text = text.replace(/, podCidr: [0-9./]+/g, '');
  const { lab } = readOk(text);
  t.deepEqual(lab.router.routes.map((r) => r.prefix.cidr), ['10.10.0.0/26', '10.10.0.64/26', '10.10.0.128/26']);
});

test('clusterIPs and node ports are allocated where not given', async (t) => {
  const { lab } = await readLab(exampleLab('nodeport'));
  t.like(lab.services[0], { clusterIP: '10.96.0.2', clusterIPAllocated: true, nodePort: 30080 });
  let text = edit(K101, 'clusterIP: 10.100.87.105, ', '');
  text = edit(text, 'type: ClusterIP }', 'type: NodePort }');
  text = edit(text, 'services:\n', 'services:\n  - { name: first, clusterIP: 10.100.0.2, port: 81, targetPort: 8080, selector: { name: web8080 }, type: NodePort, nodePort: 30000 }\n');
  const planned = readOk(text).lab.services;
  t.deepEqual(planned.map((s) => [s.name, s.clusterIP, s.nodePort]), [
    ['first', '10.100.0.2', 30000],
    ['webfrontend', '10.100.0.3', 30001],
  ]);
});

test('modern labs get modern defaults', async (t) => {
  const { lab } = await readLab(exampleLab('service-routes'));
  t.like(lab.kubernetes, { dialect: 'modern', release: [1, 11], proxyMode: 'iptables', apiserverPort: 6443, etcdPort: 2379, apiserverServiceIP: '10.96.0.1' });
  t.deepEqual(lab.router.routes.map((r) => `${r.prefix.cidr} via ${r.via}`), ['10.244.1.0/24 via 192.168.1.11', '10.244.2.0/24 via 192.168.1.12', '10.244.3.0/24 via 192.168.1.13']);
  t.like(lab.services[0], { name: 'db-service', clusterIP: '10.103.132.104', port: 3306, targetPort: 3306 });
  t.deepEqual(lab.services[0]!.endpoints.map((e) => e.ip), ['10.244.1.2']);
});

test('roles node and worker mean minion', async (t) => {
  const { lab } = await readLab(exampleLab('nodeport'));
  t.deepEqual(lab.nodes.map((n) => n.role), ['master', 'minion', 'minion', 'minion']);
});

test('the plan is a pure function of the file', (t) => {
  t.deepEqual(readOk(K101).lab, readOk(K101).lab);
});
