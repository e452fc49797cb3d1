// The lab's PKI as ensurePki makes and keeps it: checked with openssl, reused byte for byte,
// renewed when a node moves or a certificate nears its end, and never mixed across two CAs.
import test from 'ava';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { certSpecs, ensurePki, RENEW_WITHIN_DAYS } from '../../src/pki/index.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { changedFiles, openssl, scratchLab, snapshot } from './helpers.js';

const DAY = 86_400_000;

/** openssl verify of one certificate of the directory against its ca.crt, with extra checks. */
function verify(dir: string, name: string, ...extra: string[]) {
  return openssl(['verify', '-CAfile', path.join(dir, 'ca.crt'), ...extra, path.join(dir, `${name}.crt`)]);
}

/** The subject's attributes, read back by openssl. */
function subject(dir: string, name: string): { cn: string; o: string[] } {
  const r = openssl(['x509', '-in', path.join(dir, `${name}.crt`), '-noout', '-subject', '-nameopt', 'RFC2253']);
  const attrs = r.stdout.trim().replace(/^subject=/, '').split(',');
  return { cn: attrs.filter((a) => a.startsWith('CN=')).map((a) => a.slice(3))[0]!, o: attrs.filter((a) => a.startsWith('O=')).map((a) => a.slice(2)) };
}

test('every certificate verifies against the CA with openssl, for its purpose, its names and its addresses', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const r = await ensurePki(s.lab);
  const specs = certSpecs(s.lab);
  t.is(specs.length, 12);
  for (const spec of specs) {
    const v = verify(r.dir, spec.name, '-purpose', spec.usage === 'server' ? 'sslserver' : 'sslclient');
    t.is(v.code, 0, `${spec.name}: ${v.stderr}${v.stdout}`);
    t.deepEqual(subject(r.dir, spec.name), { cn: spec.commonName, o: spec.organizations }, spec.name);
  }
  // The apiserver answers to every name a client or a pod uses for it.
  for (const ip of ['192.168.1.10', '10.96.0.1', '127.0.0.1']) t.is(verify(r.dir, 'apiserver', '-purpose', 'sslserver', '-verify_ip', ip).code, 0, ip);
  for (const dns of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'control']) t.is(verify(r.dir, 'apiserver', '-purpose', 'sslserver', '-verify_hostname', dns).code, 0, dns);
  // The kubelets' serving certificates hold their node's address (the apiserver dials InternalIP).
  for (const n of s.lab.nodes.filter((x) => x.role === 'minion')) t.is(verify(r.dir, `kubelet-serving-${n.name}`, '-purpose', 'sslserver', '-verify_ip', n.address).code, 0, n.name);
  t.deepEqual(subject(r.dir, 'kubelet-client-node-2'), { cn: 'system:node:node-2', o: ['system:nodes'] });
  t.deepEqual(subject(r.dir, 'kube-proxy'), { cn: 'system:kube-proxy', o: [] });
  // Negative controls: the checks above can fail.
  t.not(verify(r.dir, 'kubelet-serving-node-1', '-purpose', 'sslserver', '-verify_ip', '192.168.1.12').code, 0);
  t.not(verify(r.dir, 'apiserver', '-purpose', 'sslserver', '-verify_hostname', 'kubernetes.default.svc.example.org').code, 0);
  t.not(verify(r.dir, 'kube-proxy', '-purpose', 'sslserver').code, 0);
  // The service-account key pair is RSA 2048 and its halves match.
  const mod = (args: string[]) => openssl(args).stdout.trim();
  t.is(mod(['rsa', '-in', path.join(r.dir, 'sa.key'), '-noout', '-modulus']), mod(['rsa', '-pubin', '-in', path.join(r.dir, 'sa.pub'), '-noout', '-modulus']));
  t.regex(openssl(['rsa', '-in', path.join(r.dir, 'sa.key'), '-noout', '-text']).stdout, /Private-Key: \(2048 bit/);
});

test('the directory is 0700 and every file in it 0600; the CA key is only there', async (t) => {
  const s = await scratchLab(t, 'service-routes');
  const r = await ensurePki(s.lab);
  t.is(r.dir, path.join(s.dir, '.labsmith', 'service-routes', 'pki'));
  t.is((await stat(r.dir)).mode & 0o777, 0o700);
  const files = await snapshot(r.dir);
  for (const f of files.keys()) t.is((await stat(path.join(r.dir, f))).mode & 0o777, 0o600, f);
  t.true(files.has('ca.key') && files.has('admin.kubeconfig'));
  t.false(JSON.stringify(r.pki).includes(files.get('ca.key')!.split('\n')[1]!), 'render never gets the CA key');
});

test('a second run keeps every file byte for byte and reports everything kept', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const first = await ensurePki(s.lab);
  t.true(first.entries.every((e) => e.status === 'created'));
  const before = await snapshot(first.dir);
  const second = await ensurePki(s.lab);
  t.deepEqual(changedFiles(before, await snapshot(first.dir)), []);
  t.deepEqual(second.changed, []);
  t.true(second.entries.every((e) => e.status === 'kept'));
  t.deepEqual(second.pki, first.pki);
});

test('a re-addressed node renews its serving certificate only; a re-addressed master the apiserver and admin kubeconfig', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const dir = (await ensurePki(s.lab)).dir;
  const before = await snapshot(dir);
  await s.edit('address: 192.168.2.13', 'address: 192.168.2.23');
  const r = await ensurePki(s.lab);
  t.deepEqual(changedFiles(before, await snapshot(dir)), ['kubelet-serving-node-3.crt', 'kubelet-serving-node-3.key']);
  const renewed = r.entries.filter((e) => e.status !== 'kept');
  t.deepEqual(renewed.map((e) => [e.name, e.status, e.reason]), [['kubelet-serving-node-3', 'renewed', 'SANs changed: +IP:192.168.2.23 -IP:192.168.2.13']]);
  t.is(verify(dir, 'kubelet-serving-node-3', '-verify_ip', '192.168.2.23').code, 0);

  const middle = await snapshot(dir);
  await s.edit('address: 192.168.1.10', 'address: 192.168.1.20');
  await ensurePki(s.lab);
  t.deepEqual(changedFiles(middle, await snapshot(dir)), ['admin.kubeconfig', 'apiserver.crt', 'apiserver.key']);
});

test('certificates expiring within 30 days are renewed; a CA expiring renews everything', async (t) => {
  const s = await scratchLab(t, 'service-routes');
  const first = await ensurePki(s.lab);
  const leafEnd = new Date(first.entries.find((e) => e.name === 'apiserver')!.notAfter!);
  const before = await snapshot(first.dir);

  const safe = await ensurePki(s.lab, { now: new Date(leafEnd.getTime() - (RENEW_WITHIN_DAYS + 1) * DAY) });
  t.deepEqual(safe.changed, []);
  t.deepEqual(changedFiles(before, await snapshot(first.dir)), []);

  const late = await ensurePki(s.lab, { now: new Date(leafEnd.getTime() - (RENEW_WITHIN_DAYS - 1) * DAY) });
  const byStatus = (status: string) => late.entries.filter((e) => e.status === status).map((e) => e.name);
  t.deepEqual(byStatus('kept'), ['ca', 'sa']);
  t.is(byStatus('renewed').length, certSpecs(s.lab).length);
  t.regex(late.entries.find((e) => e.name === 'scheduler')!.reason!, /^expires \d{4}-\d\d-\d\d, within 30 days$/);
  const after = await snapshot(first.dir);
  t.is(after.get('ca.key'), before.get('ca.key'));
  t.true(new Date(late.entries.find((e) => e.name === 'scheduler')!.notAfter!) > leafEnd);

  const caEnd = new Date(late.entries.find((e) => e.name === 'ca')!.notAfter!);
  const old = await ensurePki(s.lab, { now: new Date(caEnd.getTime() - 10 * DAY) });
  t.true(old.entries.every((e) => e.status === 'renewed' || e.name === 'sa'));
  t.regex(old.entries.find((e) => e.name === 'ca')!.reason!, /within 30 days/);
  t.is(old.entries.find((e) => e.name === 'admin')!.reason, 'the CA was replaced');
  t.not((await snapshot(first.dir)).get('ca.key'), after.get('ca.key'));
  // Whatever the clock says now, the new leaves chain to the new CA.
  t.is(verify(first.dir, 'admin', '-attime', String(Math.floor(caEnd.getTime() / 1000) - 9 * 86_400)).code, 0);
});

test('a node that leaves the lab takes its certificates with it', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const dir = (await ensurePki(s.lab)).dir;
  await s.edit('  - { name: node-3, role: worker, address: 192.168.2.13 }\n', '');
  const r = await ensurePki(s.lab);
  t.deepEqual(r.entries.filter((e) => e.status === 'removed').map((e) => e.name).sort(), ['kubelet-client-node-3', 'kubelet-serving-node-3']);
  t.false([...(await snapshot(dir)).keys()].some((f) => f.includes('node-3')));
});

test("a certificate whose key was replaced, or that another CA issued, is renewed", async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const a = await ensurePki(s.lab);
  // Another lab's PKI: the same names, another CA.
  const other = await scratchLab(t, 'nodeport');
  const b = await ensurePki(other.lab);
  const { copyFile } = await import('node:fs/promises');
  await copyFile(path.join(b.dir, 'scheduler.crt'), path.join(a.dir, 'scheduler.crt'));
  await copyFile(path.join(b.dir, 'scheduler.key'), path.join(a.dir, 'scheduler.key'));
  await copyFile(path.join(b.dir, 'kube-proxy.key'), path.join(a.dir, 'kube-proxy.key'));
  const r = await ensurePki(s.lab);
  t.deepEqual(
    r.entries.filter((e) => e.status !== 'kept').map((e) => [e.name, e.reason]),
    [
      ['scheduler', "not issued by the lab's CA"],
      ['kube-proxy', 'its key does not match the certificate'],
    ],
  );
  for (const name of ['scheduler', 'kube-proxy']) t.is(verify(a.dir, name).code, 0, name);
});

test('write: false decides and generates in memory, and writes nothing', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const r = await ensurePki(s.lab, { write: false });
  t.true(r.entries.every((e) => e.status === 'created'));
  t.true(r.changed.includes('ca.key'));
  await t.throwsAsync(stat(path.join(s.dir, '.labsmith')), { code: 'ENOENT' });
});

test('two runs at once agree on one CA', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const [x, y] = await Promise.all([ensurePki(s.lab), ensurePki(s.lab)]);
  t.is(x.pki.caCert, y.pki.caCert);
  const files = await snapshot(x.dir);
  t.is(files.get('ca.crt'), x.pki.caCert);
  for (const spec of certSpecs(s.lab)) t.is(verify(x.dir, spec.name).code, 0, spec.name);
  t.false(files.has('.lock'));
});

test('legacy labs have no PKI', async (t) => {
  const { lab } = readOk(edit(K101, 'name: kubernetes-101', 'name: classic'));
  t.deepEqual(certSpecs(lab), []);
  await t.throwsAsync(ensurePki(lab), { message: /legacy labs have no PKI/ });
});
