// The kubeconfigs read by a real kubectl: every one rendered to a host and the admin's kept
// beside the lab parse, name the right server and user, and embed the right certificates;
// and kubectl completes a mutual-TLS handshake with an openssl server holding the
// apiserver's certificate, on loopback.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_KUBECONFIG, ensurePki, kubeletClientName, type PkiResult } from '../../src/pki/index.js';
import { renderLab } from '../../src/render/render.js';
import { runTool } from '../helpers/tools.js';
import { scratchLab } from './helpers.js';

interface KubeconfigJson {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

const kubectl = (args: string[]) => runTool('kubectl', args, 'kubernetes-client');
// While a server of ours runs, kubectl must not block the event loop that drains its output.
async function kubectlAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('kubectl', args, { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: this test needs it (apt-get install kubernetes-client)');
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

async function scratchFile(t: { teardown(fn: () => Promise<void>): void }, name: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-kubeconfig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  await writeFile(file, content, { mode: 0o600 });
  return file;
}

test('kubectl reads every kubeconfig: the server, the user, the CA and the client certificate are the right ones', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const r = await ensurePki(s.lab);
  const hosts = renderLab(s.lab, { pki: r.pki });
  const expect: [string, string, string, string][] = [
    // host, path, user, certificate name in the PKI
    ['control', '/etc/kubernetes/controller-manager.kubeconfig', 'system:kube-controller-manager', 'controller-manager'],
    ['control', '/etc/kubernetes/scheduler.kubeconfig', 'system:kube-scheduler', 'scheduler'],
    ['control', '/etc/kubernetes/admin.kubeconfig', 'kubernetes-admin', 'admin'],
    ...['node-1', 'node-2', 'node-3'].flatMap((n): [string, string, string, string][] => [
      [n, '/etc/kubernetes/kubelet.kubeconfig', `system:node:${n}`, kubeletClientName(n)],
      [n, '/etc/kubernetes/kube-proxy.kubeconfig', 'system:kube-proxy', 'kube-proxy'],
    ]),
  ];
  const files: [string, string, string][] = [];
  for (const [host, p, user, cert] of expect) {
    const f = hosts.find((h) => h.host === host)!.files.find((x) => x.path === p)!;
    files.push([await scratchFile(t, `${host}-${path.basename(p)}`, f.content), user, cert]);
  }
  files.push([path.join(r.dir, ADMIN_KUBECONFIG), 'kubernetes-admin', 'admin']);
  for (const [file, user, cert] of files) {
    const v = kubectl(['config', 'view', '--kubeconfig', file, '--raw', '-o', 'json']);
    t.is(v.code, 0, `${file}: ${v.stderr}`);
    const doc = JSON.parse(v.stdout) as KubeconfigJson;
    const ctx = doc.contexts.find((c) => c.name === doc['current-context'])!;
    t.is(ctx.context.user, user, file);
    const cluster = doc.clusters.find((c) => c.name === ctx.context.cluster)!;
    t.is(cluster.cluster.server, 'https://192.168.1.10:6443', file);
    t.is(unb64(cluster.cluster['certificate-authority-data']), r.pki.caCert, file);
    const u = doc.users.find((x) => x.name === user)!;
    t.is(unb64(u.user['client-certificate-data']), r.pki.certs[cert]!.cert, file);
    t.is(unb64(u.user['client-key-data']), r.pki.certs[cert]!.key, file);
  }
  // Negative control: kubectl refuses a kubeconfig that is not one.
  const broken = await scratchFile(t, 'broken.kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: {not: [a list\n');
  t.not(kubectl(['config', 'view', '--kubeconfig', broken]).code, 0);
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** openssl s_server on loopback with a certificate of the PKI, requiring a client certificate of the CA. */
async function tlsServer(t: { teardown(fn: () => void): void }, r: PkiResult, serverCert: string): Promise<{ port: number }> {
  const port = await freePort();
  const dir = r.dir;
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', path.join(dir, `${serverCert}.crt`), '-key', path.join(dir, `${serverCert}.key`), '-CAfile', path.join(dir, 'ca.crt'), '-Verify', '1', '-verify_return_error', '-www'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill());
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 10_000);
    const check = () => {
      if (out.includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.on('exit', () => reject(new Error(`openssl s_server exited: ${out}`)));
  });
  return { port };
}

test('kubectl with the admin and a kubelet kubeconfig completes mutual TLS with the apiserver certificate; a wrong server certificate is refused', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const r = await ensurePki(s.lab);
  const hosts = renderLab(s.lab, { pki: r.pki });
  const kubelet = await scratchFile(t, 'kubelet.kubeconfig', hosts.find((h) => h.host === 'node-2')!.files.find((f) => f.path === '/etc/kubernetes/kubelet.kubeconfig')!.content);
  // The apiserver certificate holds 127.0.0.1, so only the server address is overridden.
  // s_server -www answers with a page describing the session, the client certificate included.
  // One server per client: s_server serves one connection at a time.
  for (const [file, who] of [[path.join(r.dir, ADMIN_KUBECONFIG), 'Subject: O=system:masters, CN=kubernetes-admin'], [kubelet, 'Subject: O=system:nodes, CN=system:node:node-2']] as const) {
    const api = await tlsServer(t, r, 'apiserver');
    const g = await kubectlAsync(['--kubeconfig', file, '--server', `https://127.0.0.1:${api.port}`, '--request-timeout', '10s', 'get', '--raw', '/']);
    t.is(g.code, 0, `${file}: ${g.stderr}`);
    t.true(g.stdout.includes('Client certificate') && g.stdout.includes(who), `the server saw ${who}:\n${g.stdout}`);
  }
  // A kubelet's serving certificate does not name 127.0.0.1: kubectl must refuse it.
  const wrong = await tlsServer(t, r, 'kubelet-serving-node-1');
  const g = await kubectlAsync(['--kubeconfig', path.join(r.dir, ADMIN_KUBECONFIG), '--server', `https://127.0.0.1:${wrong.port}`, '--request-timeout', '10s', 'get', '--raw', '/']);
  t.not(g.code, 0);
  t.regex(g.stderr, /certificate is valid for .*192\.168\.1\.11.*not 127\.0\.0\.1|x509/);
});
