// The long forms of services (namespace, type LoadBalancer, ports:, externalIPs,
// loadBalancerIP) and workloads (namespace, containers:), beside today's shorthands.
import test from 'ava';
import { labJsonSchema } from '../../src/lab/json-schema.js';
import { edit, errorsOf, K101, readOk, WEB_POD_CONTAINERS, warningsOf } from '../helpers/lab-text.js';

const SERVICE = '  - { name: webfrontend, clusterIP: 10.100.87.105, port: 80, targetPort: 8080, selector: { name: web8080 }, type: ClusterIP }\n';
const WORKLOAD = '  - { name: web-controller-2, replicas: 4, labels: { name: web8080 }, port: 8080 }\n';
// Services start at line 27 of the classic lab and workloads follow them.
const withServices = (services: string, workloads = WORKLOAD) => edit(edit(K101, SERVICE, services), WORKLOAD, workloads);

const LONG = withServices(
  [
    '  - name: web',
    '    namespace: shop',
    '    type: LoadBalancer',
    '    ports:',
    '      - { name: p80, port: 80, targetPort: 8080, protocol: TCP, nodePort: 30080 }',
    '      - { name: dns, port: 53, protocol: UDP }',
    '    selector: { app: web }',
    '    externalIPs: [198.51.100.7]',
    '    loadBalancerIP: 198.51.100.20',
    '',
  ].join('\n'),
  [
    '  - name: webpod',
    '    namespace: shop',
    '    replicas: 2',
    '    labels: { app: web }',
    ...WEB_POD_CONTAINERS,
    '',
  ].join('\n'),
);

test('the long forms validate and plan: ports with their endpoints, one address per pod, node ports per port', (t) => {
  const { lab, warnings } = readOk(LONG);
  const svc = lab.services[0]!;
  t.like(svc, { name: 'web', namespace: 'shop', type: 'LoadBalancer', externalIPs: ['198.51.100.7'], loadBalancerIP: '198.51.100.20' });
  t.deepEqual(svc.ports.map((p) => [p.name, p.port, p.targetPort, p.protocol, p.nodePort]), [
    ['p80', 80, 8080, 'TCP', 30080],
    ['dns', 53, 53, 'UDP', 30000],
  ]);
  t.deepEqual(svc.ports[0]!.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.10.10.2:8080', '10.10.20.2:8080']);
  t.deepEqual(svc.ports[1]!.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.10.10.2:53', '10.10.20.2:53']);
  const pods = lab.pods.filter((p) => p.workload === 'webpod');
  t.deepEqual(pods.map((p) => [p.name, p.namespace, p.ports]), [
    ['webpod-0', 'shop', [80, 8080]],
    ['webpod-1', 'shop', [80, 8080]],
  ]);
  t.deepEqual(lab.workloads[0]!.containers.map((c) => c.name), ['webpod80', 'webpod8080']);
  // dns targets port 53, which no container of webpod lists.
  t.deepEqual(warnings.map((w) => w.field), ['services[0].ports[1].port']);
});

test('the shorthands still mean one unnamed port and one container named after the workload', (t) => {
  const { lab } = readOk(K101);
  t.like(lab.services[0], { namespace: 'default', port: 80, targetPort: 8080, protocol: 'TCP' });
  t.deepEqual(lab.services[0]!.ports.map((p) => p.name), ['']);
  t.deepEqual(lab.workloads[0], { name: 'web-controller-2', namespace: 'default', replicas: 4, labels: { name: 'web8080' }, containers: [{ name: 'web-controller-2', port: 8080 }] });
});

test('ports: and the shorthand together, or neither, is an error at the service', (t) => {
  const both = errorsOf(edit(LONG, '    ports:\n', '    port: 80\n    ports:\n'));
  t.deepEqual(both, ['lab.yaml:30:11: error: services[0].port: give the ports either as ports: or as the one-port shorthand, not both (move port into ports:)']);
  const neither = errorsOf(withServices('  - { name: web, selector: { name: web8080 } }\n'));
  t.deepEqual(neither, ['lab.yaml:27:5: error: services[0]: needs its ports: add ports: [{ port: 80 }] or the shorthand port: 80']);
  const workload = errorsOf(edit(LONG, '    replicas: 2\n', '    replicas: 2\n    port: 80\n'));
  t.deepEqual(workload, ['lab.yaml:40:11: error: workloads[0].port: give the containers either as containers: or as the one-container shorthand, not both (move port into containers:)']);
});

test('port names: required when a service has more than one, unique, DNS labels', (t) => {
  t.deepEqual(errorsOf(edit(LONG, '{ name: dns, port: 53', '{ port: 53')), ['lab.yaml:32:9: error: services[0].ports[1]: service web has 2 ports, so each needs a name; add name: <a DNS label> to the port']);
  t.deepEqual(errorsOf(edit(LONG, '{ name: dns, port: 53', '{ name: p80, port: 53')), ['lab.yaml:32:17: error: services[0].ports[1].name: duplicate port name p80 in service web (first used at services[0].ports[0].name); port names must be unique within a service']);
  t.regex(errorsOf(edit(LONG, '{ name: dns,', '{ name: DNS_1,'))[0]!, /^lab\.yaml:32:17: error: services\[0\]\.ports\[1\]\.name: must be a DNS label/);
});

test('a port and protocol twice in one service is an error', (t) => {
  t.deepEqual(errorsOf(edit(LONG, '{ name: dns, port: 53, protocol: UDP }', '{ name: dns, port: 80 }')), ['lab.yaml:32:28: error: services[0].ports[1].port: service web exposes 80/TCP twice (first at services[0].ports[0].port); each port and protocol once per service']);
});

test('external and load-balancer IPs lie outside every segment, pod CIDR and the service range', (t) => {
  t.deepEqual(errorsOf(edit(LONG, 'externalIPs: [198.51.100.7]', 'externalIPs: [10.20.30.99]')), ['lab.yaml:34:19: error: services[0].externalIPs[0]: external IP 10.20.30.99 lies inside segment lab-a (10.20.30.0/24); use an address outside every segment, pod CIDR and the service range']);
  t.deepEqual(errorsOf(edit(LONG, 'loadBalancerIP: 198.51.100.20', 'loadBalancerIP: 10.10.20.9')), ['lab.yaml:35:21: error: services[0].loadBalancerIP: load-balancer IP 10.10.20.9 lies inside the pod CIDR of kubminion2 (10.10.20.0/24); use an address outside every segment, pod CIDR and the service range']);
  t.regex(errorsOf(edit(LONG, 'externalIPs: [198.51.100.7]', 'externalIPs: [10.100.9.9]'))[0]!, /externalIPs\[0\]: external IP 10\.100\.9\.9 lies inside the service range 10\.100\.0\.0\/16/);
});

test('loadBalancerIP only on LoadBalancer services; a LoadBalancer without one is a warning', (t) => {
  t.deepEqual(errorsOf(edit(LONG, 'type: LoadBalancer', 'type: NodePort')), ['lab.yaml:35:21: error: services[0].loadBalancerIP: loadBalancerIP is set but the service type is NodePort; set type: LoadBalancer, or remove loadBalancerIP']);
  const pending = warningsOf(edit(LONG, '    loadBalancerIP: 198.51.100.20\n', ''));
  t.true(pending.some((w) => /services\[0\]\.type: LoadBalancer service web has no loadBalancerIP/.test(w)));
});

test('nodePort per port: only on NodePort and LoadBalancer services, inside the range, unique', (t) => {
  t.deepEqual(errorsOf(edit(edit(LONG, 'type: LoadBalancer', 'type: ClusterIP'), '    loadBalancerIP: 198.51.100.20\n', '')), ['lab.yaml:31:75: error: services[0].ports[0].nodePort: nodePort is set but the service type is ClusterIP; set type: NodePort or LoadBalancer, or remove nodePort']);
  t.deepEqual(errorsOf(edit(LONG, 'protocol: UDP }', 'protocol: UDP, nodePort: 30080 }')), ['lab.yaml:32:57: error: services[0].ports[1].nodePort: node port 30080 is also used by web port p80; every service port needs its own node port']);
});

test('a selector matches pods of its own namespace only; matching nothing is a warning that says where they are', (t) => {
  const other = edit(LONG, '    namespace: shop\n    replicas', '    namespace: other\n    replicas');
  const { lab, warnings } = readOk(other);
  t.deepEqual(lab.services[0]!.endpoints, []);
  t.true(warnings.some((w) => w.field === 'services[0].selector' && /no workload in namespace shop has the labels app=web; webpod \(namespace other\) has them/.test(w.message)));
});

test('the JSON Schema knows the long forms', (t) => {
  const schema = labJsonSchema() as { properties: Record<string, { items: { properties: Record<string, unknown> } }> };
  for (const k of ['namespace', 'type', 'ports', 'externalIPs', 'loadBalancerIP', 'port', 'nodePort']) t.truthy(schema.properties.services!.items.properties[k], k);
  for (const k of ['namespace', 'containers', 'port', 'image']) t.truthy(schema.properties.workloads!.items.properties[k], k);
});
