// What the stand-ins are told about a lab: the apiserver's pods and services come from the
// address plan, pod for pod, and the release file names the lab's release.
import test from 'ava';
import { standinCluster, standinClusterJson, standinReleaseJson } from '../../src/emulate/standin-data.js';
import { exampleLabs } from '../helpers/golden.js';
import { readFileSync } from 'node:fs';
import { readLabText } from '../../src/lab/read.js';
import { edit, K101, readOk, WEB_POD_CONTAINERS } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';

const lab = (name: string) => exampleLabs().find((l) => l.name === name)!.lab;

test('every workload pod of the plan is a pod of the apiserver, at the plan\'s address and node; probe pods are not', (t) => {
  for (const { name, lab: l } of exampleLabs()) {
    const data = standinCluster(l);
    const workloadPods = l.pods.filter((p) => p.workload !== undefined);
    t.deepEqual(
      data.pods.map((p) => [p.name, p.node, p.ip]),
      workloadPods.map((p) => [p.name, p.node, p.ip]),
      name,
    );
    t.false(data.pods.some((p) => p.name.startsWith('probe-')), `${name}: verify's probe pods are labsmith's, not Kubernetes'`);
    for (const p of data.pods) {
      t.is(p.nodeAddress, l.nodes.find((n) => n.name === p.node)!.address);
      t.regex(p.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    t.is(new Set(data.pods.map((p) => p.uid)).size, data.pods.length, `${name}: one uid per pod`);
  }
});

test('the classic lab: web8080 pods on the minions in turn, one container serving 8080', (t) => {
  const data = standinCluster(lab('kubernetes-101'));
  t.deepEqual(data.kubernetes, { version: 'legacy', dialect: 'legacy', serviceRange: '10.100.0.0/16', apiserverServiceIP: '10.100.0.1', apiserverPort: 8080, masterAddress: '10.20.30.61' });
  t.deepEqual(
    data.pods.map((p) => `${p.name} ${p.nodeAddress} ${p.ip}`),
    ['web-controller-2-0 10.20.30.62 10.10.10.2', 'web-controller-2-1 10.20.30.63 10.10.20.2', 'web-controller-2-2 192.168.10.64 10.10.30.2', 'web-controller-2-3 10.20.30.62 10.10.10.3'],
  );
  t.deepEqual(data.pods[0]!.containers, [{ name: 'web-controller-2', image: 'labsmith/web:8080', ports: [{ containerPort: 8080, protocol: 'TCP' }] }]);
  t.deepEqual(data.pods[0]!.labels, { name: 'web8080' });
  const svc = data.services[0]!;
  t.deepEqual([svc.name, svc.clusterIP, svc.ports], ['webfrontend', '10.100.87.105', [{ name: '', port: 80, targetPort: 8080, protocol: 'TCP' }]]);
  t.is(svc.endpoints.length, 4);
  t.deepEqual(data.nodes.map((n) => `${n.name} ${n.role} ${n.podCidr ?? '-'}`), ['kubmasta master -', 'kubminion1 minion 10.10.10.0/24', 'kubminion2 minion 10.10.20.0/24', 'kubminion3 minion 10.10.30.0/24']);
});

test('the images the lab names are the containers\' images; a NodePort keeps its port', (t) => {
  const data = standinCluster(lab('nodeport'));
  t.true(data.pods.every((p) => p.containers[0]!.image === 'nginx:1.14.2'));
  t.deepEqual(data.services[0]!.ports, [{ name: '', port: 80, targetPort: 80, protocol: 'TCP', nodePort: 30080 }]);
  t.is(data.services[0]!.type, 'NodePort');
});

test('a UDP service makes its pods answer UDP on the target port too', (t) => {
  const text = edit(K101, '{ name: webfrontend, clusterIP: 10.100.87.105, port: 80, targetPort: 8080,', '{ name: webfrontend, clusterIP: 10.100.87.105, port: 80, targetPort: 8080, protocol: UDP,');
  const data = standinCluster(readOk(text).lab);
  t.deepEqual(data.pods[0]!.containers[0]!.ports, [{ containerPort: 8080, protocol: 'TCP' }, { containerPort: 8080, protocol: 'UDP' }]);
});

test('the files are JSON the stand-ins read: cluster data and the release', (t) => {
  const l = lab('nodeport');
  t.deepEqual(JSON.parse(standinClusterJson(l)), standinCluster(l));
  t.deepEqual(JSON.parse(standinReleaseJson(l)), { version: '1.28', dialect: 'modern' });
  t.deepEqual(JSON.parse(standinReleaseJson(lab('kubernetes-101'))), { version: 'legacy', dialect: 'legacy' });
});

test('a pod of two containers is one pod of two containers; every port of a service reaches the stand-ins', (t) => {
  const text = readFileSync(exampleLab('kubernetes-101'), 'utf8')
    .replace(/workloads:\n[\s\S]*$/, [
      'workloads:',
      '  - name: webpod',
      '    replicas: 1',
      '    labels: { app: web }',
      ...WEB_POD_CONTAINERS,
      '',
    ].join('\n'))
    .replace(/services:\n[\s\S]*?\nworkloads:/, [
      'services:',
      '  - name: web',
      '    selector: { app: web }',
      '    ports:',
      '      - { name: p80, port: 80 }',
      '      - { name: p8080, port: 8080 }',
      'workloads:',
    ].join('\n'));
  const data = standinCluster(readLabText('two.lab.yaml', text).lab);
  t.is(data.pods.length, 1);
  t.deepEqual(data.pods[0]!.containers.map((c) => `${c.name} ${c.image} ${c.ports.map((p) => p.containerPort).join(',')}`), ['webpod80 jonlangemak/docker:web_container_80 80', 'webpod8080 jonlangemak/docker:web_container_8080 8080']);
  t.deepEqual(data.services[0]!.ports.map((p) => `${p.name} ${p.port}->${p.targetPort}`), ['p80 80->80', 'p8080 8080->8080']);
});
