// The era's API objects, field by field: v1beta1 as the 2014-15 material wrote them for
// legacy labs, v1 Services and Deployments in the release's API group for 1.x labs.
import test from 'ava';
import { parse } from 'yaml';
import { UsageError } from '../../src/core/errors.js';
import { readLabText } from '../../src/lab/read.js';
import { labManifests, workloadApi } from '../../src/manifests/index.js';
import { standinCluster } from '../../src/emulate/standin-data.js';
import { edit, K101 } from '../helpers/lab-text.js';
import { atRelease, LONG_FORMS, NODEPORT } from './labs.js';

const lab = (text: string) => readLabText('lab.yaml', text).lab;
const byFile = (text: string) => new Map(labManifests(lab(text)).map((m) => [m.file, m]));

test('legacy: the service is a v1beta1 Service with port, containerPort and the plan\'s portalIP', (t) => {
  const m = byFile(K101).get('1-service-webfrontend.json')!;
  t.is(m.apiVersion, 'v1beta1');
  t.deepEqual(JSON.parse(m.content), {
    id: 'webfrontend',
    kind: 'Service',
    apiVersion: 'v1beta1',
    port: 80,
    containerPort: 8080,
    selector: { name: 'web8080' },
    portalIP: '10.100.87.105',
  });
});

test('legacy: a workload of several replicas is a ReplicationController with replicaSelector and a podTemplate manifest', (t) => {
  const rc = JSON.parse(byFile(K101).get('2-replicationcontroller-web-controller-2.json')!.content);
  t.is(rc.id, 'web-controller-2');
  t.is(rc.kind, 'ReplicationController');
  t.is(rc.apiVersion, 'v1beta1');
  t.deepEqual(rc.labels, { name: 'web8080' });
  t.is(rc.desiredState.replicas, 4);
  t.deepEqual(rc.desiredState.replicaSelector, { name: 'web8080' });
  t.deepEqual(rc.desiredState.podTemplate.labels, { name: 'web8080' });
  t.deepEqual(rc.desiredState.podTemplate.desiredState.manifest, {
    version: 'v1beta1',
    id: 'web-controller-2',
    // The lab names no image: the emulated lab's stand-in web server on the workload's port.
    containers: [{ name: 'web-controller-2', image: 'labsmith/web:8080', ports: [{ containerPort: 8080 }] }],
  });
  t.false('metadata' in rc || 'spec' in rc);
});

test('legacy: a workload of one replica is a bare v1beta1 Pod', (t) => {
  const text = edit(K101, 'replicas: 4, labels: { name: web8080 }, port: 8080 }', 'replicas: 1, labels: { name: web8080 }, port: 8080, image: "nginx:1.7.9" }');
  const files = byFile(text);
  t.deepEqual([...files.keys()], ['1-service-webfrontend.json', '2-pod-web-controller-2.json']);
  t.deepEqual(JSON.parse(files.get('2-pod-web-controller-2.json')!.content), {
    id: 'web-controller-2',
    kind: 'Pod',
    apiVersion: 'v1beta1',
    desiredState: { manifest: { version: 'v1beta1', id: 'web-controller-2', containers: [{ name: 'web-controller-2', image: 'nginx:1.7.9', ports: [{ containerPort: 8080 }] }] } },
    labels: { name: 'web8080' },
  });
});

test('legacy: a UDP service says so, and its pods serve the port over UDP too', (t) => {
  const files = byFile(edit(K101, 'targetPort: 8080, selector', 'targetPort: 8080, protocol: UDP, selector'));
  t.is(JSON.parse(files.get('1-service-webfrontend.json')!.content).protocol, 'UDP');
  const rc = JSON.parse(files.get('2-replicationcontroller-web-controller-2.json')!.content);
  t.deepEqual(rc.desiredState.podTemplate.desiredState.manifest.containers[0].ports, [{ containerPort: 8080 }, { containerPort: 8080, protocol: 'UDP' }]);
});

test('legacy: a NodePort service is refused, naming the service and what to do (v1beta1 has no node ports)', (t) => {
  const text = edit(K101, 'type: ClusterIP', 'type: NodePort');
  const err = t.throws(() => labManifests(lab(text)), { instanceOf: UsageError });
  t.regex(err!.message, /lab\.yaml: services\[0\] \(webfrontend\) is a NodePort service/);
  t.regex((err as UsageError).hint!, /type: ClusterIP/);
});

test('1.x: a v1 Service with the plan\'s clusterIP and nodePort, and an apps/v1 Deployment', (t) => {
  const files = byFile(NODEPORT);
  t.deepEqual([...files.keys()], ['1-service-nginx-svc.yaml', '2-deployment-nginx-deployment.yaml']);
  const svc = parse(files.get('1-service-nginx-svc.yaml')!.content);
  const l = lab(NODEPORT);
  t.deepEqual(svc, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx-svc', namespace: 'default' },
    spec: { type: 'NodePort', clusterIP: l.services[0]!.clusterIP, selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }] },
  });
  const d = parse(files.get('2-deployment-nginx-deployment.yaml')!.content);
  t.is(d.apiVersion, 'apps/v1');
  t.is(d.kind, 'Deployment');
  t.deepEqual(d.metadata, { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } });
  t.is(d.spec.replicas, 3);
  t.deepEqual(d.spec.selector, { matchLabels: { app: 'nginx' } });
  t.deepEqual(d.spec.template, {
    metadata: { labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx-deployment', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
  });
});

test('1.x: Deployments come from the API group the release serves them from; before 1.2, a v1 ReplicationController', (t) => {
  const cases: [string, string, string][] = [
    ['1.28', 'apps/v1', 'Deployment'],
    ['1.9', 'apps/v1', 'Deployment'],
    ['1.8', 'apps/v1beta2', 'Deployment'],
    ['1.7', 'apps/v1beta1', 'Deployment'],
    ['1.6', 'apps/v1beta1', 'Deployment'],
    ['1.5', 'extensions/v1beta1', 'Deployment'],
    ['1.2', 'extensions/v1beta1', 'Deployment'],
    ['1.1', 'v1', 'ReplicationController'],
  ];
  for (const [version, apiVersion, kind] of cases) {
    const l = lab(version === '1.28' ? NODEPORT : atRelease(version));
    const labels = version === '1.28' ? { app: 'nginx' } : { app: 'db' };
    t.deepEqual(workloadApi(l), { apiVersion, kind: kind as 'Deployment' }, version);
    const w = labManifests(l).find((m) => m.kind === kind)!;
    t.is(w.apiVersion, apiVersion, version);
    const o = parse(w.content);
    t.deepEqual(o.spec.selector, kind === 'Deployment' ? { matchLabels: labels } : labels, version);
  }
});

test('the default image is the one the emulated lab\'s kubelet stand-in runs', (t) => {
  const l = lab(K101);
  const rc = JSON.parse(labManifests(l).find((m) => m.kind === 'ReplicationController')!.content);
  const pods = standinCluster(l).pods;
  t.true(pods.length > 0);
  for (const p of pods) t.is(p.containers[0]!.image, rc.desiredState.podTemplate.desiredState.manifest.containers[0].image);
});

test('a lab without services or workloads has no manifests', (t) => {
  const text = K101.replace(/\nservices:[\s\S]*$/, '\n');
  t.deepEqual(labManifests(lab(text)), []);
});

test('1.x long forms: namespaces in objects and file names, every port named with its node port, external and load-balancer IPs, a pod of two containers', (t) => {
  const files = byFile(LONG_FORMS);
  t.deepEqual([...files.keys()], ['1-service-shop.web.yaml', '2-deployment-shop.webpod.yaml']);
  const svc = parse(files.get('1-service-shop.web.yaml')!.content);
  t.is(svc.metadata.namespace, 'shop');
  t.is(svc.spec.type, 'LoadBalancer');
  t.deepEqual(svc.spec.ports.map((p: { name: string; port: number; nodePort: number }) => `${p.name} ${p.port} ${typeof p.nodePort}`), ['p80 80 number', 'p8080 8080 number']);
  t.deepEqual(svc.spec.externalIPs, ['198.51.100.7']);
  t.is(svc.spec.loadBalancerIP, '198.51.100.20');
  const dep = parse(files.get('2-deployment-shop.webpod.yaml')!.content);
  t.is(dep.metadata.namespace, 'shop');
  t.deepEqual(dep.spec.template.spec.containers.map((c: { name: string; image: string; ports: { containerPort: number }[] }) => `${c.name} ${c.image} ${c.ports[0]!.containerPort}`), [
    'webpod80 jonlangemak/docker:web_container_80 80',
    'webpod8080 jonlangemak/docker:web_container_8080 8080',
  ]);
});

test('legacy: a service of two ports is refused (a v1beta1 service has one port)', (t) => {
  const two = edit(K101, '  - { name: webfrontend, clusterIP: 10.100.87.105, port: 80, targetPort: 8080, selector: { name: web8080 }, type: ClusterIP }', '  - { name: webfrontend, clusterIP: 10.100.87.105, selector: { name: web8080 }, type: ClusterIP, ports: [{ name: a, port: 80, targetPort: 8080 }, { name: b, port: 81, targetPort: 8080 }] }');
  const err = t.throws(() => labManifests(lab(two)), { instanceOf: UsageError });
  t.regex(err!.message, /services\[0\] \(webfrontend\) has 2 ports, which the v1beta1 API of a legacy lab cannot express/);
});
