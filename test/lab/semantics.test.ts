// The meaning checks: each error names the field's line and says how to fix it.
import test from 'ava';
import { edit, errorsOf, K101, readOk, warningsOf } from '../helpers/lab-text.js';

const only = (text: string) => {
  const errors = errorsOf(text);
  if (errors.length !== 1) throw new Error(`expected one error, got:\n${errors.join('\n')}`);
  return errors[0]!;
};

test('the example labs are valid', (t) => {
  t.notThrows(() => readOk(K101));
});

test('a prefix with host bits set suggests the network', (t) => {
  t.is(only(edit(K101, 'podCidr: 10.10.20.0/24', 'podCidr: 10.10.20.5/24')), 'lab.yaml:23:70: error: nodes[2].podCidr: 10.10.20.5/24 has host bits set; did you mean 10.10.20.0/24?');
});

test('a malformed prefix or address is refused', (t) => {
  t.is(only(edit(K101, 'serviceRange: 10.100.0.0/16', 'serviceRange: 10.300.0.0/16')), 'lab.yaml:8:17: error: kubernetes.serviceRange: 10.300.0.0/16 is not a valid IPv4 prefix (address parts 0-255, length 0-32)');
  t.regex(only(edit(K101, 'address: 10.20.30.62', 'address: 10.20.30.620')), /nodes\[1\]\.address: must be an IPv4 address|is not a valid IPv4 address/);
});

test('pod CIDRs must not overlap each other', (t) => {
  t.is(only(edit(K101, 'podCidr: 10.10.30.0/24', 'podCidr: 10.10.20.128/25')), 'lab.yaml:24:72: error: nodes[3].podCidr: the pod CIDR of kubminion3 (10.10.20.128/25) overlaps the pod CIDR of kubminion2 (10.10.20.0/24); segments, pod CIDRs and the service range must not overlap');
});

test('a pod CIDR must not overlap a segment or the service range', (t) => {
  t.regex(only(edit(K101, 'podCidr: 10.10.30.0/24', 'podCidr: 192.168.10.0/25')), /nodes\[3\]\.podCidr: .* overlaps .*segment lab-b|segment lab-b.* overlaps the pod CIDR of kubminion3/);
  t.regex(only(edit(K101, 'podCidr: 10.10.30.0/24', 'podCidr: 10.100.30.0/24')), /overlaps the service range 10\.100\.0\.0\/16/);
});

test('segments must not overlap', (t) => {
  const errors = errorsOf(edit(K101, 'cidr: 192.168.10.0/24, gateway: 192.168.10.1', 'cidr: 10.20.30.128/25, gateway: 10.20.30.129'));
  t.is(errors[0], 'lab.yaml:15:26: error: segments[1].cidr: segment lab-b (10.20.30.128/25) overlaps segment lab-a (10.20.30.0/24); segments, pod CIDRs and the service range must not overlap');
});

test('the service range and clusterCidr must not overlap a segment', (t) => {
  const service = errorsOf(edit(K101, 'serviceRange: 10.100.0.0/16', 'serviceRange: 10.20.0.0/16'));
  t.is(service[0], 'lab.yaml:14:26: error: segments[0].cidr: segment lab-a (10.20.30.0/24) overlaps the service range 10.20.0.0/16; segments, pod CIDRs and the service range must not overlap');
  const errors = errorsOf(edit(K101, '  proxyMode: userspace\n', '  proxyMode: userspace\n  clusterCidr: 192.168.0.0/16\n'));
  t.true(errors.some((e) => e.includes('kubernetes.clusterCidr: clusterCidr 192.168.0.0/16 overlaps segment lab-b')));
});

test('named pod CIDRs must lie inside clusterCidr when one is given', (t) => {
  const text = edit(K101, '  proxyMode: userspace\n', '  proxyMode: userspace\n  clusterCidr: 10.10.0.0/17\n');
  t.is(only(edit(text, 'podCidr: 10.10.30.0/24', 'podCidr: 10.11.30.0/24')), 'lab.yaml:25:72: error: nodes[3].podCidr: 10.11.30.0/24 is outside clusterCidr 10.10.0.0/17; pick a pod CIDR inside clusterCidr, or remove it to have one allocated');
});

test('a gateway must lie inside its segment', (t) => {
  t.is(only(edit(K101, 'gateway: 192.168.10.1 }', 'gateway: 192.168.11.1 }')), 'lab.yaml:15:52: error: segments[1].gateway: gateway 192.168.11.1 is outside segment lab-b (192.168.10.0/24); pick an address from 192.168.10.0/24');
});

test('a node address must be inside a segment and not a gateway', (t) => {
  t.is(only(edit(K101, 'address: 192.168.10.64', 'address: 172.16.0.64')), 'lab.yaml:24:48: error: nodes[3].address: 172.16.0.64 is inside no segment; segments are 10.20.30.0/24, 192.168.10.0/24');
  t.is(only(edit(K101, 'address: 192.168.10.64', 'address: 192.168.10.1')), 'lab.yaml:24:48: error: nodes[3].address: 192.168.10.1 is the gateway of segment lab-b, the MLS\'s address; give the node an address of its own');
});

test('names and addresses are unique', (t) => {
  t.regex(only(edit(K101, 'name: kubminion2', 'name: kubminion1')), /^lab\.yaml:23:13: error: nodes\[2\]\.name: duplicate host name kubminion1 \(first used at nodes\[1\]\.name\)/);
  t.regex(only(edit(K101, 'address: 10.20.30.63', 'address: 10.20.30.62')), /nodes\[2\]\.address: duplicate node address 10\.20\.30\.62/);
  t.regex(only(edit(K101, 'name: kubmasta', 'name: mls')), /nodes\[0\]\.name: duplicate host name mls \(first used at router\.name\)/);
});

test('the router is reached at one of its gateways', (t) => {
  t.regex(only(edit(K101, '  address: 10.20.30.1\n', '  address: 10.20.30.2\n')), /router\.address: 10\.20\.30\.2 is not one of the MLS's gateway addresses; the MLS holds the segment gateways; use one of 10\.20\.30\.1, 192\.168\.10\.1/);
});

test('clusterIPs lie inside the service range and avoid the apiserver address', (t) => {
  t.regex(only(edit(K101, 'clusterIP: 10.100.87.105', 'clusterIP: 10.101.87.105')), /services\[0\]\.clusterIP: 10\.101\.87\.105 is outside the service range 10\.100\.0\.0\/16/);
  t.regex(only(edit(K101, 'clusterIP: 10.100.87.105', 'clusterIP: 10.100.0.1')), /is reserved for the apiserver's own "kubernetes" service/);
});

test('node ports lie inside nodePortRange and are unique', (t) => {
  const np = edit(K101, 'type: ClusterIP }', 'type: NodePort, nodePort: 29999 }');
  t.regex(only(np), /services\[0\]\.nodePort: node port 29999 is outside nodePortRange 30000-32767/);
  t.regex(only(edit(K101, 'type: ClusterIP }', 'type: ClusterIP, nodePort: 30001 }')), /nodePort is set but the service type is ClusterIP/);
  const two = edit(K101, 'services:\n', 'services:\n  - { name: other, port: 81, selector: { name: web8080 }, type: NodePort, nodePort: 30080 }\n');
  t.regex(only(edit(two, 'type: ClusterIP }', 'type: NodePort, nodePort: 30080, targetPort: 8080 }').replace('targetPort: 8080, selector: { name: web8080 }, type: NodePort, nodePort: 30080, targetPort: 8080', 'targetPort: 8080, selector: { name: web8080 }, type: NodePort, nodePort: 30080')), /node port 30080 is also used by other/);
});

test('a minion with neither podCidr nor clusterCidr is an error', (t) => {
  t.is(only(edit(K101, ', podCidr: 10.10.20.0/24', '')), 'lab.yaml:23:5: error: nodes[2]: minion kubminion2 has no podCidr and the lab has no kubernetes.clusterCidr to allocate one from; add podCidr to the node, or clusterCidr to kubernetes');
});

test('a master has no pod CIDR in this model', (t) => {
  t.regex(only(edit(K101, 'address: 10.20.30.61 }', 'address: 10.20.30.61, podCidr: 10.10.40.0/24 }')), /nodes\[0\]\.podCidr: a master runs no pods/);
});

test('userspace is refused from 1.26, ipvs before 1.8', (t) => {
  t.is(only(edit(K101, 'version: legacy', 'version: "1.28"')), 'lab.yaml:9:14: error: kubernetes.proxyMode: proxyMode userspace was removed in Kubernetes 1.26 (this lab says 1.28); use iptables or ipvs, or a version before 1.26');
  t.notThrows(() => readOk(edit(K101, 'version: legacy', 'version: "1.25"')));
  t.regex(only(edit(edit(K101, 'version: legacy', 'version: "1.7"'), 'proxyMode: userspace', 'proxyMode: ipvs')), /proxyMode ipvs does not exist before Kubernetes 1\.8/);
  t.regex(only(edit(K101, 'proxyMode: userspace', 'proxyMode: ipvs')), /proxyMode ipvs does not exist before Kubernetes 1\.8 \(this lab says legacy\)/);
  t.regex(only(edit(K101, 'version: legacy', 'version: "2.0"')), /unknown version "2\.0"/);
});

test('suspicious but legal input warns and still validates', (t) => {
  t.deepEqual(warningsOf(edit(K101, 'targetPort: 8080', 'targetPort: 9090')), ['lab.yaml:27:74: warning: services[0].targetPort: targetPort 9090 is exposed by no selected workload (they listen on 8080); did you mean targetPort: 8080?']);
  t.regex(warningsOf(edit(K101, 'selector: { name: web8080 }', 'selector: { name: web9090 }'))[0]!, /no workload has the labels name=web9090/);
  t.deepEqual(warningsOf(K101), []);
});

test('pods must fit the pod CIDR', (t) => {
  t.regex(only(edit(K101, 'podCidr: 10.10.30.0/24', 'podCidr: 10.10.30.0/30')), /nodes\[3\]\.podCidr: 10\.10\.30\.0\/30 cannot hold the 3 pods placed on kubminion3/);
});

test('errors of every kind are reported together', (t) => {
  let text = edit(K101, 'podCidr: 10.10.30.0/24', 'podCidr: 10.10.20.0/24');
  text = edit(text, 'gateway: 192.168.10.1 }', 'gateway: 192.168.11.1 }');
  text = edit(text, 'clusterIP: 10.100.87.105', 'clusterIP: 10.101.87.105');
  t.is(errorsOf(text).length, 3);
});

test('an overlap among 10,000 nodes is found, with both sides named', (t) => {
  const lines = ['name: big', 'kubernetes: { version: "1.28", serviceRange: 10.96.0.0/12, proxyMode: iptables }', 'segments:', '  - { name: s, cidr: 172.16.0.0/16, gateway: 172.16.0.1 }', 'router: { platform: frr, address: 172.16.0.1 }', 'nodes:', '  - { name: m, role: master, address: 172.16.255.254 }'];
  for (let i = 0; i < 10_000; i++) {
    const cidr = i === 7777 ? '10.0.0.0/24' : `10.${1 + Math.floor(i / 256)}.${i % 256}.0/24`;
    lines.push(`  - { name: n${i}, role: minion, address: 172.16.${Math.floor((i + 2) / 256)}.${(i + 2) % 256 === 0 ? 1 : (i + 2) % 256}, podCidr: ${cidr} }`);
  }
  // Node i=254 would land on .0 of a /24 inside the /16; that's a legal host address in a /16.
  const text = lines.join('\n').replace('10.0.0.0/24', '10.1.0.0/24');
  const errors = errorsOf(text);
  t.true(errors.some((e) => /nodes\[7778\]\.podCidr: the pod CIDR of n7777 \(10\.1\.0\.0\/24\) overlaps the pod CIDR of n0 \(10\.1\.0\.0\/24\)|nodes\[1\]\.podCidr: the pod CIDR of n0 .* overlaps the pod CIDR of n7777/.test(e)), errors.join('\n'));
});

test('counts in messages agree with their nouns', (t) => {
  // Two services in a /30 service range, which has room for one.
  const two = edit(edit(K101, 'serviceRange: 10.100.0.0/16', 'serviceRange: 10.100.0.0/30'), 'clusterIP: 10.100.87.105, ', '');
  const crowded = edit(two, 'services:\n', 'services:\n  - { name: other, port: 81, selector: { name: web8080 }, targetPort: 8080 }\n');
  t.true(errorsOf(crowded).includes('lab.yaml:8:17: error: kubernetes.serviceRange: the service range 10.100.0.0/30 has room for 1 service, the lab has 2; widen serviceRange'), errorsOf(crowded).join('\n'));
  // One replica and no minion.
  let noMinion = edit(K101, 'replicas: 4', 'replicas: 1');
  for (const n of ['kubminion1', 'kubminion2', 'kubminion3']) noMinion = noMinion.replace(new RegExp(`  - \\{ name: ${n},.*\\n`), '');
  t.true(errorsOf(noMinion).some((e) => e.endsWith('workloads[0].replicas: 1 replica but the lab has no minion to run it; add a minion, or set replicas: 0')), errorsOf(noMinion).join('\n'));
  // A clusterCidr with room for one pod CIDR and two minions without one.
  let alloc = edit(K101, '  proxyMode: userspace\n', '  proxyMode: userspace\n  clusterCidr: 10.10.0.0/24\n');
  alloc = edit(edit(edit(alloc, ', podCidr: 10.10.10.0/24', ''), ', podCidr: 10.10.20.0/24', ''), ', podCidr: 10.10.30.0/24', '');
  t.true(errorsOf(alloc).some((e) => e.includes('clusterCidr 10.10.0.0/24 holds 1 /24 pod CIDR, but 3 minions need one')), errorsOf(alloc).join('\n'));
});

test('a kubelet before 1.25 on a cgroup v2 family is a warning at the os it comes from; centos7 and 1.25+ are fine', (t) => {
  const at = (version: string, os: string) => edit(edit(edit(K101, 'version: legacy', `version: "${version}"`), 'proxyMode: userspace', 'proxyMode: iptables'), 'os: centos7', `os: ${os}`);
  t.deepEqual(warningsOf(at('1.11', 'debian12')), [
    'lab.yaml:5:5: warning: os: the kubelet of Kubernetes 1.11 needs cgroup v1, but debian12 boots with cgroup v2 (the kubelet supports v2 from 1.25); use os: centos7, boot the minions with systemd.unified_cgroup_hierarchy=0, or use Kubernetes 1.25 or later',
  ]);
  t.deepEqual(warningsOf(at('1.24', 'centos7')), []);
  t.deepEqual(warningsOf(at('1.25', 'ubuntu22')), []);
  t.deepEqual(warningsOf(K101.replace('os: centos7', 'os: debian12')), [], 'legacy labs are not judged');
  // A minion's own os is judged there; a master runs no kubelet.
  const perNode = edit(edit(at('1.11', 'centos7'), 'address: 10.20.30.63,', 'address: 10.20.30.63, os: ubuntu22,'), 'address: 10.20.30.61 }', 'address: 10.20.30.61, os: debian12 }');
  t.deepEqual(warningsOf(perNode).map((w) => w.replace(/;.*/, '')), ['lab.yaml:23:65: warning: nodes[2].os: minion kubminion2: the kubelet of Kubernetes 1.11 needs cgroup v1, but ubuntu22 boots with cgroup v2 (the kubelet supports v2 from 1.25)']);
});
