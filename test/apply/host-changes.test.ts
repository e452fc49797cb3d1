import test from 'ava';
import type { NodeFacts } from '../../src/apply/facts-parse.js';
import { kernelChanges, liveChanges, planNode } from '../../src/apply/host-changes.js';
import { sha256 } from '../../src/core/hash.js';
import { restartOrder } from '../../src/apply/restart-order.js';
import type { HostRender } from '../../src/render/types.js';
import { K101, readOk } from '../helpers/lab-text.js';

const lab = readOk(K101).lab;
const minion = lab.nodes.find((n) => n.name === 'kubminion2')!;

const render: HostRender = {
  host: 'kubminion2',
  role: 'minion',
  address: minion.address,
  files: [
    { path: '/etc/systemd/system/kubelet.service', content: 'unit\n', mode: 0o644, owner: 'root', group: 'root', template: 't', notifies: [{ kind: 'daemon-reload' }, { kind: 'restart', unit: 'kubelet' }] },
    { path: '/etc/systemd/system/docker.service', content: 'docker\n', mode: 0o644, owner: 'root', group: 'root', template: 't', notifies: [{ kind: 'daemon-reload' }, { kind: 'restart', unit: 'docker' }] },
    { path: '/etc/sysctl.d/99-labsmith.conf', content: 'net.ipv4.ip_forward = 1\n', mode: 0o644, owner: 'root', group: 'root', template: 't', notifies: [{ kind: 'network', what: 'forwarding' }] },
  ],
};

const converged = (): NodeFacts => ({
  files: new Map(render.files.map((f) => [f.path, { sha256: sha256(f.content), mode: '644', owner: 'root', group: 'root' }])),
  docker0: { up: true, addresses: ['10.10.20.1/24'] },
  forwarding: true,
  defaultGateway: '10.20.30.1',
  systemd: true,
  temps: [],
  natRules: [],
});

test('a converged host plans nothing', (t) => {
  const plan = planNode(render, minion, converged());
  t.deepEqual(plan.files, []);
  t.deepEqual(plan.live, []);
  t.is(plan.unchanged, 3);
  t.false(plan.daemonReload);
  t.deepEqual(plan.restarts, []);
});

test('changed content, mode and owner are told apart; handlers follow the changed files only', (t) => {
  const facts = converged();
  facts.files.set('/etc/systemd/system/kubelet.service', { sha256: sha256('old\n'), mode: '600', owner: 'root', group: 'root' });
  facts.files.delete('/etc/systemd/system/docker.service');
  const plan = planNode(render, minion, facts);
  t.deepEqual(plan.files.map((f) => [f.action, f.file.path, f.reasons]), [
    ['update', '/etc/systemd/system/kubelet.service', ['content', 'mode']],
    ['create', '/etc/systemd/system/docker.service', ['content']],
  ]);
  t.true(plan.daemonReload);
  t.deepEqual(plan.restarts, ['docker.service', 'kubelet.service']);
});

test('without systemd the handlers are skipped with the reason', (t) => {
  const facts = { ...converged(), systemd: false, files: new Map() };
  const plan = planNode(render, minion, facts);
  t.false(plan.daemonReload);
  t.deepEqual(plan.restarts, []);
  t.is(plan.handlersSkipped, 'systemd does not run on kubminion2; daemon-reload, restart docker.service, restart kubelet.service skipped');
});

test('live network: a bare host gets docker0, its address, forwarding and the default route', (t) => {
  const changes = liveChanges(minion, { files: new Map(), forwarding: false, systemd: false, temps: [], natRules: [] });
  t.deepEqual(changes.map((c) => c.argv.join(' ')), [
    'ip link add docker0 type bridge',
    'ip addr add 10.10.20.1/24 dev docker0',
    'ip link set docker0 up',
    'sysctl -q -w net.ipv4.ip_forward=1',
    'ip route replace default via 10.20.30.1',
  ]);
});

test('live network: a wrong docker0 address is replaced, a wrong default route corrected', (t) => {
  const changes = liveChanges(minion, { files: new Map(), docker0: { up: true, addresses: ['172.17.0.1/16'] }, forwarding: true, defaultGateway: '10.20.30.254', systemd: false, temps: [], natRules: [] });
  t.deepEqual(changes.map((c) => c.description), ['remove 172.17.0.1/16 from docker0', 'add 10.10.20.1/24 to docker0', 'default route via 10.20.30.1 (was via 10.20.30.254)']);
});

test('a master gets no docker0', (t) => {
  const master = lab.nodes[0]!;
  t.deepEqual(liveChanges(master, { files: new Map(), forwarding: true, defaultGateway: '10.20.30.1', systemd: true, temps: [], natRules: [] }), []);
});

test('restart order follows the dependencies', (t) => {
  t.deepEqual(restartOrder(['kube-proxy', 'kubelet.service', 'docker', 'kube-scheduler', 'etcd', 'kube-apiserver', 'kube-controller-manager']), [
    'etcd.service', 'kube-apiserver.service', 'kube-controller-manager.service', 'kube-scheduler.service', 'docker.service', 'kubelet.service', 'kube-proxy.service',
  ]);
});

test('kernel settings: a sysctl file is applied with sysctl -p, a modules file loads only what is not there yet', (t) => {
  const file = (path: string, what: 'sysctl' | 'modules') => ({ path, content: 'x\n', mode: 0o644, owner: 'root', group: 'root', template: 't', notifies: [{ kind: 'network' as const, what }] });
  const changes = kernelChanges([
    { action: 'create', file: file('/etc/sysctl.d/90-labsmith-bridge-nf.conf', 'sysctl'), reasons: ['content'] },
    { action: 'update', file: file('/etc/modules-load.d/labsmith-br_netfilter.conf', 'modules'), reasons: ['content'] },
  ]);
  t.deepEqual(changes.map((c) => c.description), ['apply /etc/sysctl.d/90-labsmith-bridge-nf.conf', 'load the modules of /etc/modules-load.d/labsmith-br_netfilter.conf']);
  t.deepEqual(changes[0]!.argv, ['sysctl', '-q', '-p', '/etc/sysctl.d/90-labsmith-bridge-nf.conf']);
  // The module list travels as a file argument, never as shell text.
  t.deepEqual(changes[1]!.argv.slice(0, 2), ['sh', '-c']);
  t.deepEqual(changes[1]!.argv.slice(3), ['labsmith-modules', '/etc/modules-load.d/labsmith-br_netfilter.conf']);
});
