// The stand-ins against a real docker (Debian's docker.io) in a throwaway sandbox node
// (test/fixtures/standins/sandbox.sh): the apiserver and the kubelet run the command lines
// labsmith renders, with the data labsmith gives them, and the kubelet runs the node's pods the
// way the material describes them:
//   - one pause container per pod on docker's bridge, each of the pod's containers joined to it
//     (NetworkMode container:<pause>);
//   - the pod's address is the plan's (docker hands out docker0's addresses lowest first), and
//     a pod that cannot have it is reported loudly, then repaired once the address is free;
//   - each container answers with the pod, the container and the peer address it saw;
//   - after a container dies or docker restarts, the pods come back at the same addresses.
// Legacy: the classic lab's kubminion1, plain HTTP to the apiserver. 1.28: the nodeport lab's
// node-1 with TLS (a PKI made here with openssl) and the kubelet reaching docker through the
// cri-dockerd stand-in on a socket systemd-socket-activate passes it, as cri-docker.socket does.
import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { standinCluster, standinClusterJson, type StandinPod } from '../../src/emulate/standin-data.js';
import type { Lab } from '../../src/lab/types.js';
import { ensurePki } from '../../src/pki/index.js';
import { renderLab } from '../../src/render/render.js';
import { exampleLabs } from '../helpers/golden.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { ROOT } from '../helpers/paths.js';
import { execLines, makeBinDir, startSandbox, stopInside, waitFor, type Sandbox } from './standins-helpers.js';

const FETCH = path.join(ROOT, 'test', 'fixtures', 'standins', 'fetch.py');
const SANDBOX = path.join(ROOT, 'test', 'fixtures', 'standins', 'sandbox.sh');

function requireTools() {
  for (const [tool, pkg] of [['/usr/sbin/dockerd', 'docker.io'], ['/bin/busybox', 'busybox-static'], ['/usr/bin/systemd-socket-activate', 'systemd'], ['/usr/bin/openssl', 'openssl']] as const) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: these tests need it (apt-get install -y ${pkg})`);
  }
}

const lab = (name: string) => exampleLabs().find((l) => l.name === name)!.lab;

interface Node {
  sb: Sandbox;
  lab: Lab;
  bin: string;
  run: string;
  env: NodeJS.ProcessEnv;
  pods: StandinPod[];
  gateway: string;
}

async function node(t: ExecutionContext, tag: string, l: Lab, minion: string): Promise<Node> {
  const n = l.nodes.find((x) => x.name === minion)!;
  const master = l.nodes.find((x) => x.role === 'master')!;
  const sb = await startSandbox(tag, `${n.docker0!.gateway}/${n.docker0!.prefix.length}`, [master.address, n.address]);
  t.teardown(() => sb.stop());
  const bin = makeBinDir(l, path.join(sb.dir, 'bin'));
  const etc = path.join(sb.dir, 'etc');
  const run = path.join(sb.dir, 'run');
  mkdirSync(etc);
  writeFileSync(path.join(etc, 'cluster.json'), standinClusterJson(l));
  const pods = standinCluster(l).pods.filter((p) => p.node === minion);
  t.true(pods.length > 0, `${minion} has pods in the plan`);
  return { sb, lab: l, bin, run, env: { LABSMITH_STANDIN_ETC: etc, LABSMITH_STANDIN_RUN: run }, pods, gateway: n.docker0!.gateway };
}

/** The rendered command line of binary on host, its paths moved under `moves`. */
function rendered(nd: Node, host: string, binary: string, moves: [string, string][] = []): string[] {
  const line = execLines(nd.lab).find((l) => l.host === host && l.binary === binary);
  if (!line) throw new Error(`${host} renders no ${binary}`);
  const args = line.args.map((a) => moves.reduce((x, [from, to]) => x.split(from).join(to), a));
  return [path.join(nd.bin, binary), ...args];
}

interface Container {
  Id: string;
  Config: { Image: string; Labels: Record<string, string> };
  HostConfig: { NetworkMode: string };
  NetworkSettings: { IPAddress: string };
  State: { Running: boolean };
}

async function containers(nd: Node): Promise<Container[]> {
  const ids = await nd.sb.exec(['docker', 'ps', '-aq']);
  if (!ids.stdout.trim()) return [];
  const r = await nd.sb.exec(['docker', 'inspect', ...ids.stdout.trim().split(/\s+/)]);
  return JSON.parse(r.stdout) as Container[];
}

interface KubeletReport {
  pods: { name: string; ip: string | null; plannedIP: string; ok: boolean }[];
  problems: string[];
}

function report(nd: Node): KubeletReport | undefined {
  try {
    return JSON.parse(readFileSync(path.join(nd.run, 'kubelet.json'), 'utf8')) as KubeletReport;
  } catch {
    return undefined;
  }
}

async function allPodsOk(nd: Node, timeoutMs = 60_000) {
  return waitFor(`every pod of the node at its planned address\n${nd.sb.log('kubelet').slice(-3000)}`, timeoutMs, async () => {
    const r = report(nd);
    return r && r.problems.length === 0 && r.pods.length === nd.pods.length && r.pods.every((p) => p.ok) ? r : undefined;
  });
}

async function fetch(nd: Node, ...args: string[]) {
  const r = await nd.sb.exec(['python3', '-S', FETCH, ...args]);
  if (r.code !== 0) throw new Error(`fetch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The material's pod: one pause container at the planned address, every container joined to it. */
async function assertPods(t: ExecutionContext, nd: Node, pauseImage: string) {
  const all = await containers(nd);
  for (const pod of nd.pods) {
    const mine = all.filter((c) => c.Config.Labels['io.kubernetes.pod.name'] === pod.name && c.State.Running);
    const pause = mine.filter((c) => c.Config.Labels['io.kubernetes.docker.type'] === 'podsandbox');
    t.is(pause.length, 1, `${pod.name}: one pause container`);
    t.is(pause[0]!.Config.Image, pauseImage);
    t.is(pause[0]!.NetworkSettings.IPAddress, pod.ip, `${pod.name}: the pod's address is the plan's`);
    const joined = mine.filter((c) => c.Config.Labels['io.kubernetes.docker.type'] === 'container');
    t.deepEqual(joined.map((c) => c.Config.Labels['io.kubernetes.container.name']).sort(), pod.containers.map((c) => c.name).sort());
    for (const c of joined) {
      t.is(c.HostConfig.NetworkMode, `container:${pause[0]!.Id}`, `${pod.name}: docker inspect shows the container joined to its pause container`);
      t.is(c.Config.Image, pod.containers.find((x) => x.name === c.Config.Labels['io.kubernetes.container.name'])!.image);
    }
    for (const c of pod.containers) {
      for (const p of c.ports.filter((x) => x.protocol === 'TCP')) {
        const http = await fetch(nd, 'http', `http://${pod.ip}:${p.containerPort}/`);
        t.true(http.startsWith('200\n'), http);
        t.true(http.includes(`pod=default/${pod.name} container=${c.name} proto=tcp local=${pod.ip}:${p.containerPort} peer=${nd.gateway}:`), http);
        // Without a request the answer's first line is the peer address, as verify's listener says it.
        const raw = await fetch(nd, 'tcp', pod.ip, String(p.containerPort));
        t.is(raw.split('\n')[0], nd.gateway, raw);
      }
      for (const p of c.ports.filter((x) => x.protocol === 'UDP')) {
        const udp = await fetch(nd, 'udp', pod.ip, String(p.containerPort));
        t.is(udp.split('\n')[0], nd.gateway, udp);
        t.true(udp.includes(`pod=default/${pod.name} container=${c.name} proto=udp local=${pod.ip}:${p.containerPort} peer=${nd.gateway}:`), udp);
      }
    }
  }
  return all;
}

test('legacy: the kubelet runs the classic lab\'s pods on docker at the planned addresses, and holds them there', async (t) => {
  requireTools();
  // The classic lab with its service on UDP, so the containers answer UDP too.
  const udpLab = readOk(edit(K101, 'targetPort: 8080,', 'targetPort: 8080, protocol: UDP,')).lab;
  const nd = await node(t, 'legacy', udpLab, 'kubminion1');
  const api = nd.sb.start('apiserver', rendered(nd, 'kubmasta', 'kube-apiserver'), nd.env);
  const kubeletArgv = rendered(nd, 'kubminion1', 'kubelet');
  let kubelet = nd.sb.start('kubelet', kubeletArgv, nd.env);
  t.truthy(api.pid);
  await allPodsOk(nd);
  t.deepEqual(nd.pods.map((p) => p.ip), ['10.10.10.2', '10.10.10.3']);
  t.deepEqual(nd.pods[0]!.containers[0]!.ports.map((p) => p.protocol), ['TCP', 'UDP']);
  let before = await assertPods(t, nd, 'kubernetes/pause:go');
  t.regex(nd.sb.log('kubelet'), /labsmith stand-in for kubelet \(Kubernetes v0\.10\.0, legacy flags\): not the real binary/);

  // The apiserver shows what runs: the kubelet reported each pod's phase and address.
  const podList = JSON.parse((await fetch(nd, 'http', 'http://10.20.30.61:8080/api/v1/pods')).split('\n').slice(1).join('\n'));
  for (const pod of nd.pods) {
    const o = podList.items.find((x: { metadata: { name: string } }) => x.metadata.name === pod.name);
    t.is(o.spec.nodeName, '10.20.30.62', 'the legacy dialect knows minions by address');
    t.is(o.status.phase, 'Running');
    t.is(o.status.podIP, pod.ip);
  }
  t.is(await fetch(nd, 'http', 'http://10.20.30.61:8080/healthz'), '200\nok');
  t.true((await fetch(nd, 'http', 'http://10.20.30.61:8080/version')).includes('"gitVersion":"v0.10.0-labsmith-standin"'));
  t.is(await fetch(nd, 'http', 'http://127.0.0.1:10248/healthz'), '200\nok');
  const first = nd.pods[0]!;

  // kube-proxy's hook: the node's rules file (iptables-restore) and, in userspace mode, the
  // proxy ports. Here the service IP leads, on the node itself, to a proxy port that opens a
  // second connection to the first backend, as the 2015 userspace proxier did.
  const etc = nd.env.LABSMITH_STANDIN_ETC!;
  writeFileSync(path.join(etc, 'kube-proxy.rules'), '*nat\n-A OUTPUT -d 10.100.87.105/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.20.30.62:39770\nCOMMIT\n');
  writeFileSync(path.join(etc, 'kube-proxy.json'), JSON.stringify({ proxies: [{ service: 'default/webfrontend:80', port: 39770, protocol: 'TCP', backends: [`${first.ip}:8080`] }] }));
  // A node has a default route; the sandbox's goes into lo, so nothing leaves it. The service
  // IP is never routed: only the node's nat rule gives it a meaning.
  t.is((await nd.sb.exec(['ip', 'route', 'add', 'default', 'dev', 'lo'])).code, 0);
  const proxy = nd.sb.start('kube-proxy', rendered(nd, 'kubminion1', 'kube-proxy'), nd.env);
  await waitFor('kube-proxy to open its proxy port', 20_000, async () => (nd.sb.log('kube-proxy').includes('Opened proxy port 39770') ? true : undefined));
  t.true((await nd.sb.exec(['iptables', '-t', 'nat', '-S', 'OUTPUT'])).stdout.includes('--to-destination 10.20.30.62:39770'));
  const viaService = await fetch(nd, 'http', 'http://10.100.87.105:80/');
  t.true(viaService.startsWith('200\n') && viaService.includes(`pod=default/${first.name} container=web-controller-2`), viaService);
  await stopInside(proxy);
  writeFileSync(path.join(etc, 'kube-proxy.rules'), '*nat\n-A NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n');
  const refused = await nd.sb.exec(rendered(nd, 'kubminion1', 'kube-proxy'), nd.env);
  t.is(refused.code, 1, 'a rules file iptables-restore refuses fails the unit');
  t.true(refused.stderr.includes('iptables-restore'), refused.stderr);

  // A container that dies is re-created in its pod: same pause container, same address.
  const victim = before.find((c) => c.Config.Labels['io.kubernetes.pod.name'] === first.name && c.Config.Labels['io.kubernetes.docker.type'] === 'container')!;
  await nd.sb.exec(['docker', 'rm', '-f', victim.Id]);
  await waitFor('the container re-created', 30_000, async () => {
    const cs = await containers(nd);
    const again = cs.find((c) => c.Config.Labels['io.kubernetes.pod.name'] === first.name && c.Config.Labels['io.kubernetes.docker.type'] === 'container' && c.State.Running);
    return again && again.Id !== victim.Id ? again : undefined;
  });
  await allPodsOk(nd);
  await assertPods(t, nd, 'kubernetes/pause:go');

  // Negative control: a stranger on docker0 holds the first pod's address before the kubelet
  // starts. The pods come up one address late; the kubelet says so loudly, and once the address
  // is free again it re-creates the pods where the plan puts them.
  await stopInside(kubelet);
  const ids = (await nd.sb.exec(['docker', 'ps', '-aq'])).stdout.trim().split(/\s+/);
  await nd.sb.exec(['docker', 'rm', '-f', ...ids]);
  const stranger = await nd.sb.exec(['docker', 'run', '-d', '--name', 'stranger', 'labsmith/web:8080', '/bin/sleep', '1000']);
  t.is(stranger.code, 0, stranger.stderr);
  kubelet = nd.sb.start('kubelet', kubeletArgv, nd.env);
  const bad = await waitFor('the kubelet to report the addresses it could not have', 60_000, async () => {
    const r = report(nd);
    return r && r.problems.length === 2 ? r : undefined;
  });
  t.deepEqual(bad.problems, ['pod web-controller-2-0 has 10.10.10.3, the plan says 10.10.10.2', 'pod web-controller-2-3 has 10.10.10.4, the plan says 10.10.10.3']);
  const health = await fetch(nd, 'http', 'http://127.0.0.1:10248/healthz');
  t.true(health.startsWith('500\n'), health);
  t.true(health.includes('[-]pod web-controller-2-0 has 10.10.10.3, the plan says 10.10.10.2'), health);
  t.regex(nd.sb.log('kubelet'), /ADDRESS PLAN VIOLATED: pod web-controller-2-0 has 10\.10\.10\.3, the plan says 10\.10\.10\.2/);
  await nd.sb.exec(['docker', 'rm', '-f', 'stranger']);
  await allPodsOk(nd, 90_000);
  before = await assertPods(t, nd, 'kubernetes/pause:go');

  // docker restarts (as apply does after a change of docker0's options): every pod comes back,
  // in plan order, at its planned address.
  const restarted = await nd.sb.exec(['bash', SANDBOX, '--restart-docker']);
  t.is(restarted.code, 0, restarted.stderr);
  await waitFor('new pause containers after the docker restart', 60_000, async () => {
    const cs = await containers(nd);
    const pauses = cs.filter((c) => c.State.Running && c.Config.Labels['io.kubernetes.docker.type'] === 'podsandbox');
    return pauses.length === nd.pods.length && pauses.every((c) => !before.some((b) => b.Id === c.Id)) ? pauses : undefined;
  });
  await allPodsOk(nd);
  await assertPods(t, nd, 'kubernetes/pause:go');
});

/** The lab's own PKI (generated in memory), as labsmith renders it to the master and node-1,
 * with the /etc/kubernetes tree moved to `k8s`; and the kubelet's client certificate taken
 * out of its kubeconfig, for requests made as the kubelet. */
async function renderedPki(l: Lab, k8s: string): Promise<void> {
  const { pki } = await ensurePki(l, { write: false });
  for (const h of renderLab(l, { pki }).filter((x) => x.host === 'control' || x.host === 'node-1')) {
    for (const f of h.files.filter((x) => x.path.startsWith('/etc/kubernetes/'))) {
      const local = path.join(k8s, f.path.slice('/etc/kubernetes/'.length));
      mkdirSync(path.dirname(local), { recursive: true });
      writeFileSync(local, f.content.split('/etc/kubernetes').join(k8s), { mode: f.mode });
    }
  }
  const kubeconfig = readFileSync(path.join(k8s, 'kubelet.kubeconfig'), 'utf8');
  const data = (key: string) => Buffer.from(new RegExp(`${key}: (\\S+)`).exec(kubeconfig)![1]!, 'base64').toString();
  writeFileSync(path.join(k8s, 'pki', 'kubelet-client.crt'), data('client-certificate-data'));
  writeFileSync(path.join(k8s, 'pki', 'kubelet-client.key'), data('client-key-data'), { mode: 0o600 });
}

test('1.28: over TLS and through cri-dockerd, the kubelet runs node-1\'s pod at its planned address', async (t) => {
  requireTools();
  const l = lab('nodeport');
  const nd = await node(t, 'modern', l, 'node-1');
  const k8s = path.join(nd.sb.dir, 'kubernetes');
  await renderedPki(l, k8s);
  const moves: [string, string][] = [['/etc/kubernetes', k8s]];

  nd.sb.start('apiserver', rendered(nd, 'control', 'kube-apiserver', moves), nd.env);
  const criArgv = ['systemd-socket-activate', '-l', '/run/cri-dockerd.sock', ...rendered(nd, 'node-1', 'cri-dockerd')];
  let cri = nd.sb.start('cri-dockerd', criArgv, nd.env);
  nd.sb.start('kubelet', rendered(nd, 'node-1', 'kubelet', moves), nd.env);
  await allPodsOk(nd);
  t.deepEqual(nd.pods.map((p) => `${p.name} ${p.ip}`), ['nginx-deployment-0 10.42.0.2']);
  await assertPods(t, nd, 'registry.k8s.io/pause:3.9');
  t.true((await containers(nd)).some((c) => c.Config.Image === 'nginx:1.14.2'), 'the image the lab names');

  const pki = (f: string) => path.join(k8s, 'pki', f);
  const anonymous = await fetch(nd, 'http', 'https://192.168.1.10:6443/api/v1/pods', pki('ca.crt'));
  t.true(anonymous.startsWith('403\n'), anonymous);
  const list = await fetch(nd, 'http', 'https://192.168.1.10:6443/api/v1/namespaces/default/pods', pki('ca.crt'), pki('kubelet-client.crt'), pki('kubelet-client.key'));
  t.true(list.startsWith('200\n'), list);
  const pod = JSON.parse(list.slice(4)).items.find((x: { metadata: { name: string } }) => x.metadata.name === 'nginx-deployment-0');
  t.deepEqual([pod.spec.nodeName, pod.status.phase, pod.status.podIP], ['node-1', 'Running', '10.42.0.2']);
  t.true((await fetch(nd, 'http', 'https://192.168.1.10:6443/version', pki('ca.crt'))).includes('"gitVersion":"v1.28.0-labsmith-standin"'));
  // No etcd runs here, and the modern /healthz says so as the real one does.
  const health = await fetch(nd, 'http', 'https://192.168.1.10:6443/healthz', pki('ca.crt'));
  t.true(health.startsWith('500\n') && health.includes('[-]etcd failed'), health);

  // cri-dockerd stops: the kubelet loses its runtime and says so; the pods keep running.
  await stopInside(cri);
  await waitFor('the kubelet to notice its runtime is gone', 30_000, async () => {
    const r = report(nd);
    return r && r.problems.some((p) => p.startsWith('container runtime:')) ? r : undefined;
  });
  t.true((await fetch(nd, 'http', 'http://127.0.0.1:10248/healthz')).startsWith('500\n'));
  t.true((await fetch(nd, 'http', 'http://10.42.0.2:80/')).startsWith('200\n'), 'running pods keep running');
  cri = nd.sb.start('cri-dockerd', criArgv, nd.env);
  await allPodsOk(nd);
  t.is(await fetch(nd, 'http', 'http://127.0.0.1:10248/healthz'), '200\nok');
});
