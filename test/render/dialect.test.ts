// The flag dialect follows kubernetes.version: the classic lab renders exactly as the
// material shows it; 1.x labs render the flags of their release.
import test from 'ava';
import type { HostRender } from '../../src/render/types.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';

const labNamed = (name: string) => exampleLabs().find((l) => l.name === name)!.lab;

function file(hosts: HostRender[], host: string, p: string): string {
  const h = hosts.find((x) => x.host === host);
  if (!h) throw new Error(`no host ${host}`);
  const f = h.files.find((x) => x.path === p);
  if (!f) throw new Error(`${host} has no ${p}: ${h.files.map((x) => x.path).join(', ')}`);
  return f.content;
}

function execStart(unit: string): string {
  const lines = unit.split('\n').filter((l) => l.startsWith('ExecStart='));
  if (lines.length !== 1) throw new Error(`expected one ExecStart line in:\n${unit}`);
  return lines[0]!.slice('ExecStart='.length);
}

const unit = (name: string) => `/etc/systemd/system/${name}`;

test('legacy: the apiserver unit is exactly the one of the classic lab', (t) => {
  const hosts = renderPlaceholder(labNamed('kubernetes-101'));
  const u = file(hosts, 'kubmasta', unit('kube-apiserver.service'));
  t.is(execStart(u), '/opt/kubernetes/kube-apiserver --address=0.0.0.0 --port=8080 --etcd_servers=http://127.0.0.1:4001 --portal_net=10.100.0.0/16 --logtostderr=true');
  for (const line of ['After=etcd.service', 'Wants=etcd.service', 'Restart=on-failure', 'RestartSec=5', 'WantedBy=multi-user.target']) {
    t.true(u.split('\n').includes(line), line);
  }
});

test('legacy: controller-manager, scheduler, kubelet and kube-proxy use the 2014-15 flags', (t) => {
  const hosts = renderPlaceholder(labNamed('kubernetes-101'));
  t.is(execStart(file(hosts, 'kubmasta', unit('kube-controller-manager.service'))), '/opt/kubernetes/kube-controller-manager --master=127.0.0.1:8080 --machines=10.20.30.62,10.20.30.63,192.168.10.64 --logtostderr=true');
  t.is(execStart(file(hosts, 'kubmasta', unit('kube-scheduler.service'))), '/opt/kubernetes/kube-scheduler --master=127.0.0.1:8080 --logtostderr=true');
  t.is(execStart(file(hosts, 'kubminion1', unit('kubelet.service'))), '/opt/kubernetes/kubelet --address=0.0.0.0 --port=10250 --hostname_override=10.20.30.62 --api_servers=http://10.20.30.61:8080 --logtostderr=true');
  t.is(execStart(file(hosts, 'kubminion3', unit('kube-proxy.service'))), '/opt/kubernetes/kube-proxy --master=http://10.20.30.61:8080 --logtostderr=true');
  const all = hosts.flatMap((h) => h.files.map((f) => f.content)).join('\n');
  for (const modern of ['--service-cluster-ip-range', '--etcd-servers', '--proxy-mode', '--kubeconfig', '--secure-port']) t.false(all.includes(modern), modern);
});

test('etcd: the legacy apiserver\'s v2 API is switched on (etcd 3.4/3.5 serve it only on request); modern needs none', (t) => {
  const legacy = execStart(file(renderPlaceholder(labNamed('kubernetes-101')), 'kubmasta', unit('etcd.service')));
  t.true(legacy.endsWith(' --enable-v2=true'), legacy);
  const modern = execStart(file(renderPlaceholder(labNamed('service-routes')), 'master', unit('etcd.service')));
  t.false(modern.includes('--enable-v2'), modern);
});

test('legacy: docker gets its docker0 options from /etc/sysconfig/docker on centos7', (t) => {
  const hosts = renderPlaceholder(labNamed('kubernetes-101'));
  t.true(file(hosts, 'kubminion1', '/etc/sysconfig/docker').includes("OPTIONS='--bip=10.10.10.1/24 --ip-masq=false --iptables=false'"));
  const docker = file(hosts, 'kubminion1', unit('docker.service'));
  t.true(docker.includes('EnvironmentFile=-/etc/sysconfig/docker\n'));
  // dockerd (docker 1.12 and later: `docker -d` left in 1.10), where docker-ce keeps it on CentOS 7.
  t.is(execStart(docker), '/usr/bin/dockerd $OPTIONS');
  t.true(docker.includes('Type=notify\n'));
  t.false(hosts.some((h) => h.files.some((f) => f.path === '/etc/docker/daemon.json')));
});

test('legacy on a networkd family keeps docker options in /etc/default/docker', (t) => {
  const { lab } = readOk(edit(K101, 'os: centos7', 'os: debian12'));
  const hosts = renderPlaceholder(lab);
  t.true(file(hosts, 'kubminion2', '/etc/default/docker').includes('--bip=10.10.20.1/24'));
  t.true(file(hosts, 'kubminion2', unit('docker.service')).includes('EnvironmentFile=-/etc/default/docker\n'));
  // Debian's and Ubuntu's docker.io keep dockerd in /usr/sbin.
  t.is(execStart(file(hosts, 'kubminion2', unit('docker.service'))), '/usr/sbin/dockerd $OPTIONS');
});

test('modern 1.11: --service-cluster-ip-range, --etcd-servers, --secure-port, --proxy-mode, --cluster-cidr; dockershim', (t) => {
  const hosts = renderPlaceholder(labNamed('service-routes'));
  const api = execStart(file(hosts, 'master', unit('kube-apiserver.service')));
  for (const flag of ['--service-cluster-ip-range=10.96.0.0/12', '--etcd-servers=http://127.0.0.1:2379', '--secure-port=6443', '--bind-address=0.0.0.0', '--advertise-address=192.168.1.10']) t.true(api.includes(` ${flag}`), flag);
  for (const legacy of ['--portal_net', '--etcd_servers', '--address=', '--port=']) t.false(api.includes(legacy), legacy);
  t.false(api.includes('--service-account-issuer'), 'the issuer flags arrived in 1.20');
  const cm = execStart(file(hosts, 'master', unit('kube-controller-manager.service')));
  for (const flag of ['--cluster-cidr=10.244.0.0/16', '--allocate-node-cidrs=false', '--service-cluster-ip-range=10.96.0.0/12']) t.true(cm.includes(` ${flag}`), flag);
  t.false(cm.includes('--machines'));
  const proxy = execStart(file(hosts, 'node-2', unit('kube-proxy.service')));
  t.true(proxy.includes(' --proxy-mode=iptables'));
  t.true(proxy.includes(' --cluster-cidr=10.244.0.0/16'));
  const kubelet = execStart(file(hosts, 'node-1', unit('kubelet.service')));
  t.true(kubelet.includes(' --pod-cidr=10.244.1.0/24'));
  t.true(kubelet.includes(' --hostname-override=node-1'));
  t.false(kubelet.includes('--container-runtime-endpoint'), 'dockershim is built into the 1.11 kubelet');
  t.false(hosts.some((h) => h.files.some((f) => f.path.includes('cri-docker'))));
});

test('modern 1.28: cri-dockerd replaces dockershim, service-account issuer flags, daemon.json for docker0', (t) => {
  const hosts = renderPlaceholder(labNamed('nodeport'));
  const kubelet = file(hosts, 'node-3', unit('kubelet.service'));
  t.true(execStart(kubelet).includes(' --container-runtime-endpoint=unix:///run/cri-dockerd.sock'));
  t.true(kubelet.includes('Requires=cri-docker.service'));
  t.true(file(hosts, 'node-3', unit('cri-docker.socket')).includes('ListenStream=%t/cri-dockerd.sock'));
  t.true(execStart(file(hosts, 'node-3', unit('cri-docker.service'))).startsWith('/usr/bin/cri-dockerd '));
  const api = execStart(file(hosts, 'control', unit('kube-apiserver.service')));
  t.true(api.includes(' --service-account-issuer='));
  t.true(api.includes(' --service-account-signing-key-file='));
  t.true(api.includes(' --service-node-port-range=30000-32767'));
  const daemon = JSON.parse(file(hosts, 'node-1', '/etc/docker/daemon.json')) as Record<string, unknown>;
  t.is(daemon.bip, '10.42.0.1/24');
  t.is(daemon['ip-masq'], false);
  t.false(hosts.some((h) => h.files.some((f) => f.path === '/etc/sysconfig/docker' || f.path === '/etc/default/docker')));
});

test('1.23 still uses dockershim; 1.24 is the first release with cri-dockerd', (t) => {
  const at = (v: string) => renderPlaceholder(readOk(edit(K101, 'version: legacy', `version: "${v}"`)).lab);
  const k123 = at('1.23');
  t.false(k123.some((h) => h.files.some((f) => f.path.includes('cri-docker'))));
  t.false(execStart(file(k123, 'kubminion1', unit('kubelet.service'))).includes('--container-runtime-endpoint'));
  const k124 = at('1.24');
  t.true(k124.filter((h) => h.files.some((f) => f.path === unit('cri-docker.service'))).length === 3);
  // The lab's own ports and binDir are used in both dialects.
  t.true(execStart(file(k124, 'kubmasta', unit('kube-apiserver.service'))).includes(' --secure-port=8080 --etcd-servers=http://127.0.0.1:4001 '));
});

test('binDir, ports and the proxy mode come from the lab', (t) => {
  let text = edit(K101, 'binDir: /opt/kubernetes', 'binDir: /usr/local/k8s/bin');
  text = edit(text, 'apiserverPort: 8080', 'apiserverPort: 8081');
  text = edit(text, 'etcdPort: 4001', 'etcdPort: 4002');
  const hosts = renderPlaceholder(readOk(text).lab);
  t.is(execStart(file(hosts, 'kubmasta', unit('kube-apiserver.service'))), '/usr/local/k8s/bin/kube-apiserver --address=0.0.0.0 --port=8081 --etcd_servers=http://127.0.0.1:4002 --portal_net=10.100.0.0/16 --logtostderr=true');
  t.true(execStart(file(hosts, 'kubminion2', unit('kubelet.service'))).includes('--api_servers=http://10.20.30.61:8081'));
  const ipvs = renderPlaceholder(readOk(edit(edit(K101, 'version: legacy', 'version: "1.20"'), 'proxyMode: userspace', 'proxyMode: ipvs')).lab);
  t.true(execStart(file(ipvs, 'kubminion1', unit('kube-proxy.service'))).includes(' --proxy-mode=ipvs'));
});

test('every node gets forwarding; centos7 keeps its default route in /etc/sysconfig/network; masters get no docker0', (t) => {
  const labs = [...exampleLabs().map((l) => l.lab), ...['debian12', 'ubuntu22'].map((os) => readOk(edit(K101, 'os: centos7', `os: ${os}`)).lab)];
  for (const lab of labs) {
    for (const h of renderPlaceholder(lab)) {
      if (h.role === 'router') continue;
      const node = lab.nodes.find((n) => n.name === h.host)!;
      t.true(file([h], h.host, '/etc/sysctl.d/90-labsmith-forwarding.conf').includes('net.ipv4.ip_forward = 1'));
      const route = h.files.filter((f) => f.notifies.some((n) => n.kind === 'network' && n.what === 'default-route'));
      // debian12 and ubuntu22 keep the uplink in the host's own configuration (ifupdown,
      // netplan): a networkd file would guess the interface name and shadow netplan's.
      if (node.os === 'centos7') t.true(route.length === 1 && route[0]!.content.includes(`GATEWAY=${node.gateway}\n`), `${lab.name}/${h.host}`);
      else t.deepEqual(route, [], `${lab.name}/${h.host}`);
      t.false(h.files.some((f) => f.path.startsWith('/etc/systemd/network/') && f.path.includes('uplink')));
      const bridge = h.files.filter((f) => f.notifies.some((n) => n.kind === 'network' && n.what === 'docker0'));
      t.is(bridge.length > 0, h.role === 'minion', `${lab.name}/${h.host}`);
    }
  }
});

test('docker0 persists in the host family format: ifcfg on centos7, networkd on debian12/ubuntu22', (t) => {
  const k101 = renderPlaceholder(labNamed('kubernetes-101'));
  const ifcfg = file(k101, 'kubminion3', '/etc/sysconfig/network-scripts/ifcfg-docker0');
  for (const line of ['DEVICE=docker0', 'TYPE=Bridge', 'IPADDR=10.10.30.1', 'PREFIX=24', 'ONBOOT=yes']) t.true(ifcfg.split('\n').includes(line), line);
  const np = renderPlaceholder(labNamed('nodeport'));
  t.true(file(np, 'node-2', '/etc/systemd/network/20-labsmith-docker0.netdev').includes('Kind=bridge'));
  const network = file(np, 'node-2', '/etc/systemd/network/20-labsmith-docker0.network');
  t.true(network.includes('Address=10.42.1.1/24'));
  // Boot does not wait for docker0, which has no carrier until a pod attaches.
  t.true(network.includes('[Link]\nRequiredForOnline=no\n'));
});
