// The PKI on the emulated hosts of a 1.x lab, as a user runs apply: each key lands 0600 on
// the hosts that need it and nowhere else, a second apply pushes nothing, and plan --diff
// of a changed key shows its size and checksum, never its content.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cli, disposeLab, makeLab, requireEmulation, type TestLab } from '../emulate/helpers.js';

let tl: TestLab;

interface ReportJson {
  ok: boolean;
  pki?: { dir: string; created: string[]; renewed: string[]; removed: string[] };
  hosts: { host: string; status: string; created: string[]; updated: string[]; diffs?: { path: string; patch: string }[] }[];
  totals: { changed: number; unchanged: number; failed: number; files: number };
}

const exec = (host: string, ...argv: string[]) => cli(['emulate', 'exec', tl.file, host, '--', ...argv], tl.env);
const applyJson = async (...extra: string[]) => {
  const r = await cli([...extra, tl.file, '--emulated', '--json'], tl.env);
  if (!r.stdout.trim()) throw new Error(`${extra[0]} printed no JSON (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as ReportJson, stderr: r.stderr };
};

test.before(async () => {
  requireEmulation();
  tl = await makeLab('nodeport', 'pki');
  // At 1.23 the kubelet still has dockershim: cri-dockerd, which the emulated lab does not
  // run yet (no stand-in installed), has no unit to fail here. The PKI is the same.
  await writeFile(tl.file, (await readFile(tl.file, 'utf8')).replace('version: "1.28"', 'version: "1.23"'));
  const up = await cli(['emulate', 'up', tl.file], tl.env);
  if (up.code !== 0) throw new Error(`emulate up failed: ${up.stderr}`);
});

test.after.always(async () => {
  await disposeLab(tl);
});

test.serial('apply makes the PKI and pushes each key, 0600 root, only to the hosts that need it', async (t) => {
  const { code, report } = await applyJson('apply');
  t.is(code, 0);
  t.is(report.totals.failed, 0);
  t.is(report.pki!.created.length, 14);
  const stat = async (host: string, ...paths: string[]) => {
    const r = await exec(host, 'stat', '-c', '%n %a %U:%G', ...paths);
    return r.stdout.trim().split('\n');
  };
  t.deepEqual(await stat('control', '/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/apiserver.key', '/etc/kubernetes/pki/sa.key', '/etc/kubernetes/admin.kubeconfig'), [
    '/etc/kubernetes/pki/ca.crt 644 root:root',
    '/etc/kubernetes/pki/apiserver.key 600 root:root',
    '/etc/kubernetes/pki/sa.key 600 root:root',
    '/etc/kubernetes/admin.kubeconfig 600 root:root',
  ]);
  for (const n of ['node-1', 'node-2', 'node-3']) {
    t.deepEqual(await stat(n, '/etc/kubernetes/pki/kubelet.key', '/etc/kubernetes/kubelet.kubeconfig', '/etc/kubernetes/kube-proxy.kubeconfig'), [
      '/etc/kubernetes/pki/kubelet.key 600 root:root',
      '/etc/kubernetes/kubelet.kubeconfig 600 root:root',
      '/etc/kubernetes/kube-proxy.kubeconfig 600 root:root',
    ]);
  }
  // The serving key on node-2 is node-2's own; the masters' keys and the CA key are not there.
  const pkiDir = report.pki!.dir;
  t.is(pkiDir, path.join(tl.dir, '.labsmith', tl.name, 'pki'));
  const own = await readFile(path.join(pkiDir, 'kubelet-serving-node-2.key'), 'utf8');
  t.is((await exec('node-2', 'cat', '/etc/kubernetes/pki/kubelet.key')).stdout, own);
  const listing = (await exec('node-2', 'ls', '/etc/kubernetes/pki')).stdout.split('\n').filter(Boolean).sort();
  t.deepEqual(listing, ['ca.crt', 'kubelet.crt', 'kubelet.key']);
  const caKey = (await readFile(path.join(pkiDir, 'ca.key'), 'utf8')).split('\n')[1]!;
  for (const h of ['control', 'node-1', 'node-2', 'node-3']) {
    const grep = await exec(h, 'grep', '-rlF', caKey, '/etc');
    t.is(grep.stdout, '', `the CA key is nowhere on ${h}`);
  }
});

test.serial('a second apply pushes nothing: the PKI is reused', async (t) => {
  const { code, report } = await applyJson('apply');
  t.is(code, 0);
  t.deepEqual(report.pki, { dir: report.pki!.dir, created: [], renewed: [], removed: [] });
  t.is(report.totals.files, 0);
  t.is(report.totals.changed, 0);
});

test.serial('plan --diff of a changed key shows its size and checksum, never its content', async (t) => {
  const junk = 'not-a-key-but-secret-all-the-same';
  t.is((await exec('node-1', 'sh', '-c', `printf '%s\\n' ${junk} > /etc/kubernetes/pki/kubelet.key`)).code, 0);
  const { report } = await applyJson('plan', '--diff');
  const node1 = report.hosts.find((h) => h.host === 'node-1')!;
  t.deepEqual(node1.updated, ['/etc/kubernetes/pki/kubelet.key']);
  const key = await readFile(path.join(report.pki!.dir, 'kubelet-serving-node-1.key'), 'utf8');
  t.deepEqual(node1.diffs, [{ path: '/etc/kubernetes/pki/kubelet.key', patch: `node-1:/etc/kubernetes/pki/kubelet.key: (secret, ${Buffer.byteLength(key)} bytes, sha256 changed)\n` }]);
  const text = await cli(['plan', tl.file, '--emulated', '--diff'], tl.env);
  t.true(text.stdout.includes('(secret, '), text.stdout);
  for (const out of [JSON.stringify(report), text.stdout, text.stderr]) {
    t.false(out.includes(junk));
    t.false(out.includes('PRIVATE KEY'));
    t.false(out.includes(key.split('\n')[1]!));
  }
  // apply puts it back; the key file keeps its mode.
  const again = await applyJson('apply');
  t.deepEqual(again.report.hosts.find((h) => h.host === 'node-1')!.updated, ['/etc/kubernetes/pki/kubelet.key']);
  t.is((await exec('node-1', 'stat', '-c', '%a', '/etc/kubernetes/pki/kubelet.key')).stdout.trim(), '600');
  t.is((await exec('node-1', 'cat', '/etc/kubernetes/pki/kubelet.key')).stdout, key);
});
