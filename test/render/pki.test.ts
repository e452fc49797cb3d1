// The PKI on the hosts: each private key only where it is needed, mode 0600; every file a
// flag names is rendered to that host; the components use it securely; legacy labs have
// none of it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { certSpecs, ensurePki, placeholderPki, serviceAccountKeyHosts } from '../../src/pki/index.js';
import { renderLab } from '../../src/render/render.js';
import type { HostRender } from '../../src/render/types.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { scratchLab } from '../pki/helpers.js';

const labNamed = (name: string) => exampleLabs().find((l) => l.name === name)!.lab;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const execStart = (h: HostRender, unit: string) => h.files.find((f) => f.path === `/etc/systemd/system/${unit}`)!.content.split('\n').find((l) => l.startsWith('ExecStart='))!;

test('each private key goes to the hosts that need it and no other, in 0600 files marked secret; the CA key to none', async (t) => {
  for (const example of ['nodeport', 'service-routes']) {
    const s = await scratchLab(t, example);
    const { pki } = await ensurePki(s.lab);
    const hosts = renderLab(s.lab, { pki });
    const { readFile } = await import('node:fs/promises');
    const caKey = await readFile(path.join(s.dir, '.labsmith', example, 'pki', 'ca.key'), 'utf8');
    const keys: { name: string; pem: string; want: string[] }[] = [
      ...certSpecs(s.lab).map((c) => ({ name: c.name, pem: pki.certs[c.name]!.key, want: c.keyHosts })),
      { name: 'sa', pem: pki.serviceAccount.privateKey, want: serviceAccountKeyHosts(s.lab) },
      { name: 'ca', pem: caKey, want: [] },
    ];
    for (const k of keys) {
      const holders = hosts.filter((h) => h.files.some((f) => f.content.includes(k.pem.trim()) || f.content.includes(b64(k.pem))));
      t.deepEqual(holders.map((h) => h.host).sort(), [...k.want].sort(), `${example}: ${k.name}`);
      for (const h of holders) {
        for (const f of h.files.filter((x) => x.content.includes(k.pem.trim()) || x.content.includes(b64(k.pem)))) {
          t.is(f.mode, 0o600, `${h.host}:${f.path}`);
          t.true(f.secret, `${h.host}:${f.path}`);
        }
      }
    }
    // And every file marked secret holds one of them; nothing else is 0600 for no reason.
    for (const h of hosts) for (const f of h.files.filter((x) => x.secret)) t.true(keys.some((k) => f.content.includes(k.pem.trim()) || f.content.includes(b64(k.pem))), `${h.host}:${f.path}`);
    // Certificates are public: 0644.
    const caCrt = hosts.flatMap((h) => h.files).filter((f) => f.path === '/etc/kubernetes/pki/ca.crt');
    t.is(caCrt.length, s.lab.nodes.length);
    t.true(caCrt.every((f) => f.mode === 0o644 && f.content === pki.caCert && !f.secret));
  }
});

test('every file a flag of a unit names is rendered to that host', (t) => {
  for (const { name, lab } of exampleLabs()) {
    for (const h of renderPlaceholder(lab)) {
      const paths = new Set(h.files.map((f) => f.path));
      const named = h.files
        .filter((f) => /^\/etc\/systemd\/system\/kube[-a-z]*\.service$/.test(f.path))
        .flatMap((f) => [...f.content.matchAll(/=(\/etc\/[^\s]+)/g)].map((m) => m[1]!));
      for (const p of named) t.true(paths.has(p), `${name}/${h.host}: ${p} is named by a flag but not rendered`);
      if (lab.kubernetes.dialect === 'modern' && h.role !== 'router') t.true(named.length >= 3, `${name}/${h.host}`);
    }
  }
});

test('1.x components use the PKI securely', (t) => {
  for (const lab of [labNamed('service-routes'), labNamed('nodeport')]) {
    const hosts = renderPlaceholder(lab);
    const master = hosts.find((h) => h.role === 'master')!;
    const api = execStart(master, 'kube-apiserver.service');
    for (const flag of ['--enable-admission-plugins=NodeRestriction', '--authorization-mode=Node,RBAC', '--kubelet-preferred-address-types=InternalIP,Hostname', '--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt', '--client-ca-file=/etc/kubernetes/pki/ca.crt']) {
      t.true(api.includes(` ${flag}`), `${lab.name}: ${flag}`);
    }
    const cm = execStart(master, 'kube-controller-manager.service');
    t.true(cm.includes(' --use-service-account-credentials=true'), lab.name);
    t.false(cm.includes('--cluster-signing'), 'the CA key stays local');
    for (const h of hosts.filter((x) => x.role === 'minion')) {
      const kubelet = execStart(h, 'kubelet.service');
      for (const flag of ['--anonymous-auth=false', '--authorization-mode=Webhook', '--client-ca-file=/etc/kubernetes/pki/ca.crt', '--read-only-port=0', '--tls-cert-file=/etc/kubernetes/pki/kubelet.crt', '--tls-private-key-file=/etc/kubernetes/pki/kubelet.key', '--cluster-domain=cluster.local']) {
        t.true(kubelet.includes(` ${flag}`), `${lab.name}/${h.host}: ${flag}`);
      }
      // No DNS service in these labs: pods keep the host's resolver.
      t.false(kubelet.includes('--cluster-dns'));
      t.false(kubelet.includes('--fail-swap-on'), 'the default (true) stands');
    }
  }
});

test('a kube-dns service becomes the kubelets\' --cluster-dns; clusterDomain their --cluster-domain and the issuer', (t) => {
  const text = edit(edit(edit(K101, 'version: legacy', 'version: "1.28"'), 'proxyMode: userspace', 'proxyMode: iptables\n  clusterDomain: lab.example'), 'services:\n', 'services:\n  - { name: kube-dns, clusterIP: 10.100.0.10, port: 53, protocol: UDP, selector: { k8s-app: kube-dns } }\n');
  const { lab } = readOk(text);
  const hosts = renderPlaceholder(lab);
  const kubelet = execStart(hosts.find((h) => h.host === 'kubminion2')!, 'kubelet.service');
  t.true(kubelet.includes(' --cluster-domain=lab.example --cluster-dns=10.100.0.10'));
  t.true(execStart(hosts.find((h) => h.host === 'kubmasta')!, 'kube-apiserver.service').includes(' --service-account-issuer=https://kubernetes.default.svc.lab.example'));
  t.true(certSpecs(lab).find((c) => c.name === 'apiserver')!.dnsNames.includes('kubernetes.default.svc.lab.example'));
});

test('legacy labs have no PKI, no kubeconfig and none of the 1.x security flags, as in 2015', (t) => {
  const hosts = renderLab(labNamed('kubernetes-101'));
  const all = hosts.flatMap((h) => h.files);
  t.false(all.some((f) => f.path.startsWith('/etc/kubernetes/') || f.secret));
  const text = all.map((f) => f.content).join('\n');
  for (const flag of ['--anonymous-auth', '--authorization-mode', 'NodeRestriction', '--use-service-account-credentials', '--kubelet-preferred-address-types', '--cluster-domain', 'PRIVATE KEY']) t.false(text.includes(flag), flag);
});

test('rendering a 1.x lab without its PKI is an error that says what to pass', (t) => {
  t.throws(() => renderLab(labNamed('nodeport')), { message: /rendering a 1\.x lab needs its PKI/ });
});

test('the placeholder PKI holds no key: golden files stay free of key material', (t) => {
  const p = placeholderPki(labNamed('nodeport'));
  for (const pem of [p.caCert, p.serviceAccount.privateKey, ...Object.values(p.certs).flatMap((c) => [c.cert, c.key])]) t.regex(pem, /^-----BEGIN [A-Z ]+-----\nlabsmith placeholder: [a-z0-9.-]+\n-----END [A-Z ]+-----\n$/);
});

test('iptables labs load br_netfilter and let bridged traffic through iptables; userspace labs do not need it', (t) => {
  const np = renderPlaceholder(labNamed('nodeport')).find((h) => h.host === 'node-1')!;
  t.is(np.files.find((f) => f.path === '/etc/modules-load.d/labsmith-br_netfilter.conf')!.content.split('\n').filter((l) => l && !l.startsWith('#')).join(), 'br_netfilter');
  t.true(np.files.find((f) => f.path === '/etc/sysctl.d/90-labsmith-bridge-nf.conf')!.content.includes('\nnet.bridge.bridge-nf-call-iptables = 1\n'));
  const k101 = renderPlaceholder(labNamed('kubernetes-101')).find((h) => h.host === 'kubminion1')!;
  t.false(k101.files.some((f) => f.path.includes('br_netfilter') || f.path.includes('bridge-nf')));
  const master = renderPlaceholder(labNamed('nodeport')).find((h) => h.host === 'control')!;
  t.false(master.files.some((f) => f.path.includes('br_netfilter')), 'masters run no pods');
});

test("the FORWARD accept rules load with iptables-restore --test, in a namespace of the test's own", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-forward-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const { name, lab } of exampleLabs()) {
    for (const h of renderPlaceholder(lab).filter((x) => x.role === 'minion')) {
      const rules = h.files.find((f) => f.path === '/etc/labsmith/forward.rules')!;
      const node = lab.nodes.find((n) => n.name === h.host)!;
      t.true(rules.content.includes(`-A LABSMITH-FORWARD -d ${node.docker0!.prefix.cidr} -j ACCEPT\n`));
      const file = path.join(dir, `${name}-${h.host}.rules`);
      writeFileSync(file, rules.content);
      // unshare -n: a fresh, empty network namespace; --test parses and builds, commits nothing.
      const r = spawnSync('unshare', ['-n', 'iptables-restore', '--test', '--noflush', file], { encoding: 'utf8' });
      t.is(r.status, 0, `${name}/${h.host}: ${r.stderr}`);
      const unit = h.files.find((f) => f.path === '/etc/systemd/system/labsmith-forward.service')!.content;
      t.true(unit.includes('ExecStart=/usr/sbin/iptables-restore --noflush /etc/labsmith/forward.rules\n'));
    }
  }
  const bad = path.join(dir, 'bad.rules');
  writeFileSync(bad, '*filter\n:LABSMITH-FORWARD - [0:0]\n-A LABSMITH-FORWARD -d 10.0.0.0/33 -j ACCEPT\nCOMMIT\n');
  t.not(spawnSync('unshare', ['-n', 'iptables-restore', '--test', '--noflush', bad]).status, 0, 'negative control');
});
