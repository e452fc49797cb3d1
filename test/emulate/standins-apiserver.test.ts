// The apiserver stand-in's read-only view of the lab, as kubectl asks for it (the Table form of
// `kubectl get pods -o wide` and `get svc`) and as kubelets report into it. The legacy
// apiserver serves plain HTTP where --address and --port say: here 127.0.0.1 and a free port.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { standinClusterJson } from '../../src/emulate/standin-data.js';
import { exampleLabs } from '../helpers/golden.js';
import { spawn } from 'node:child_process';
import { makeBinDir, waitFor } from './standins-helpers.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function call(port: number, method: string, p: string, accept = 'application/json', body?: string): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: p, headers: { Accept: accept, ...(body ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('legacy apiserver: kubectl\'s tables of pods, services and nodes; kubelet reports show what runs', async (t) => {
  const lab = exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-standins-api-'));
  const bin = makeBinDir(lab, path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'cluster.json'), standinClusterJson(lab));
  const port = await freePort();
  const api = spawn(path.join(bin, 'kube-apiserver'), ['--address=127.0.0.1', `--port=${port}`, '--etcd_servers=http://127.0.0.1:4001', '--portal_net=10.100.0.0/16', '--logtostderr=true'], {
    env: { ...process.env, LABSMITH_STANDIN_ETC: dir, LABSMITH_STANDIN_RUN: path.join(dir, 'run') },
    stdio: 'ignore',
  });
  t.teardown(() => {
    api.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor('the apiserver', 10_000, async () => ((await call(port, 'GET', '/healthz')).text === 'ok' ? true : undefined));

  const pods = await call(port, 'GET', '/api/v1/namespaces/default/pods?limit=500', TABLE);
  t.is(pods.json.kind, 'Table');
  t.deepEqual(pods.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  const row = (name: string, rows: { cells: unknown[] }[]) => rows.find((r) => r.cells[0] === name)!.cells;
  t.deepEqual(row('web-controller-2-0', pods.json.rows).filter((_, i) => i !== 4), ['web-controller-2-0', '0/1', 'Pending', 0, '<none>', '10.20.30.62', '<none>', '<none>']);

  // A kubelet reports: the pod runs, at its address; its node is Ready.
  const reported = await call(port, 'POST', '/api/v1/nodes/10.20.30.62/status', 'application/json',
    JSON.stringify({ pods: { 'web-controller-2-0': { namespace: 'default', phase: 'Running', podIP: '10.10.10.2', readyContainers: 1 } } }));
  t.is(reported.status, 200);
  const after = await call(port, 'GET', '/api/v1/namespaces/default/pods', TABLE);
  t.deepEqual(row('web-controller-2-0', after.json.rows).filter((_, i) => i !== 4), ['web-controller-2-0', '1/1', 'Running', 0, '10.10.10.2', '10.20.30.62', '<none>', '<none>']);
  const one = await call(port, 'GET', '/api/v1/namespaces/default/pods/web-controller-2-0');
  t.deepEqual([one.json.status.phase, one.json.status.podIP, one.json.status.labsmithPlannedIP], ['Running', '10.10.10.2', '10.10.10.2']);
  t.false('_node' in one.json.status, 'bookkeeping stays inside');

  const svc = await call(port, 'GET', '/api/v1/namespaces/default/services', TABLE);
  t.deepEqual(svc.json.rows.map((r: { cells: unknown[] }) => [r.cells[0], r.cells[1], r.cells[2], r.cells[4], r.cells[6]]), [
    ['kubernetes', 'ClusterIP', '10.100.0.1', '443/TCP', '<none>'],
    ['webfrontend', 'ClusterIP', '10.100.87.105', '80/TCP', 'name=web8080'],
  ]);
  const nodes = await call(port, 'GET', '/api/v1/nodes', TABLE);
  t.deepEqual(nodes.json.rows.map((r: { cells: unknown[] }) => [r.cells[0], r.cells[1]]), [['10.20.30.62', 'Ready'], ['10.20.30.63', 'NotReady'], ['192.168.10.64', 'NotReady']]);
  const ep = await call(port, 'GET', '/api/v1/namespaces/default/endpoints/webfrontend');
  t.deepEqual(ep.json.subsets[0].addresses.map((a: { ip: string }) => a.ip), ['10.10.10.2', '10.10.20.2', '10.10.30.2', '10.10.10.3']);
  t.deepEqual(ep.json.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);

  // kubectl's discovery, selectors, and what a read-only server refuses.
  t.deepEqual((await call(port, 'GET', '/api')).json.versions, ['v1']);
  t.true((await call(port, 'GET', '/api/v1')).json.resources.some((r: { name: string; shortNames?: string[] }) => r.name === 'services' && r.shortNames?.includes('svc')));
  const selected = await call(port, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3D10.20.30.63');
  t.deepEqual(selected.json.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['web-controller-2-1']);
  t.is((await call(port, 'GET', '/api/v1/pods?labelSelector=name%3Dnope')).json.items.length, 0);
  t.is((await call(port, 'DELETE', '/api/v1/namespaces/default/pods/web-controller-2-0')).status, 405);
  t.is((await call(port, 'GET', '/api/v1/namespaces/default/pods/nope')).status, 404);
  t.is((await call(port, 'GET', '/version')).json.gitVersion, 'v0.10.0-labsmith-standin');
});

test('controller-manager and scheduler answer /healthz and /version where their flags say (legacy: HTTP; 1.28: HTTPS)', async (t) => {
  const legacy = exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
  const modern = exampleLabs().find((l) => l.name === 'nodeport')!.lab;
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-standins-cp-'));
  const env = { ...process.env, LABSMITH_STANDIN_ETC: dir, LABSMITH_STANDIN_RUN: path.join(dir, 'run') };
  const children: ReturnType<typeof spawn>[] = [];
  t.teardown(() => {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const cmPort = await freePort();
  const lbin = makeBinDir(legacy, path.join(dir, 'legacy'));
  children.push(spawn(path.join(lbin, 'kube-controller-manager'), ['--master=127.0.0.1:8080', '--machines=10.20.30.62', '--logtostderr=true', '--address=127.0.0.1', `--port=${cmPort}`], { env, stdio: 'ignore' }));
  await waitFor('the controller-manager', 10_000, async () => ((await call(cmPort, 'GET', '/healthz')).text === 'ok' ? true : undefined));
  t.is((await call(cmPort, 'GET', '/version')).json.gitVersion, 'v0.10.0-labsmith-standin');

  const schedPort = await freePort();
  const mbin = makeBinDir(modern, path.join(dir, 'modern'));
  const kubeconfig = path.join(dir, 'scheduler.kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n  - name: x\n    cluster:\n      server: https://127.0.0.1:6443\ncurrent-context: ""\n');
  children.push(spawn(path.join(mbin, 'kube-scheduler'), [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${schedPort}`], { env, stdio: 'ignore' }));
  const https = (p: string) =>
    new Promise<string>((resolve, reject) => {
      // The scheduler serves a self-signed certificate, as the real one does without --tls-cert-file.
      import('node:https').then(({ get }) =>
        get({ host: '127.0.0.1', port: schedPort, path: p, rejectUnauthorized: false }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        }).on('error', reject),
      );
    });
  await waitFor('the scheduler over HTTPS', 15_000, async () => ((await https('/healthz')) === '200 ok' ? true : undefined));
  t.true((await https('/version')).includes('"gitVersion":"v1.28.0-labsmith-standin"'));
});
