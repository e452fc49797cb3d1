// `labsmith pki` as a user runs it: lists every certificate with subject, SANs and expiry,
// creates then keeps, renews a re-addressed node's, and never prints key material.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exampleLab } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { scratchLab, snapshot } from './helpers.js';

const run = (args: string[]) => runCli(args);

interface PkiJson {
  lab: string;
  legacy: boolean;
  dir: string;
  summary: Record<string, number>;
  entries: { name: string; subject: string; sans: string[]; notAfter?: string; status: string; reason?: string; keyHosts: string[] }[];
}

/** Every line of every key in the directory, and each key's base64 (as kubeconfigs embed it). */
async function secrets(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const [name, content] of await snapshot(dir)) {
    if (!name.endsWith('.key')) continue;
    out.push(Buffer.from(content).toString('base64').slice(0, 40));
    out.push(...content.split('\n').filter((l) => l && !l.startsWith('-----')));
  }
  return out;
}

test('pki creates, then keeps; text and JSON name every certificate and hold no key material', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  const first = await run(['pki', s.file]);
  t.is(first.code, 0, first.stderr);
  const lines = first.stdout.split('\n');
  t.is(lines[0], `PKI of lab nodeport: ${path.join(s.dir, '.labsmith', 'nodeport', 'pki')}`);
  t.regex(lines[1]!, /^NAME +STATUS +NOT AFTER +KEY ON +SUBJECT +SANS$/);
  t.regex(first.stdout, /\napiserver +created +\d{4}-\d\d-\d\d +control +CN=kube-apiserver +DNS:kubernetes,DNS:kubernetes\.default,DNS:kubernetes\.default\.svc,DNS:kubernetes\.default\.svc\.cluster\.local,DNS:control,IP:192\.168\.1\.10,IP:10\.96\.0\.1,IP:127\.0\.0\.1\n/);
  t.regex(first.stdout, /\nkubelet-client-node-2 +created +\S+ +node-2 +CN=system:node:node-2, O=system:nodes +-\n/);
  t.regex(first.stdout, /\nca +created +\S+ +\(stays here\) +CN=labsmith CA of lab nodeport +-\n/);
  t.true(first.stdout.endsWith(`14 entries: 14 created, 0 renewed, 0 removed, 0 kept; kubectl --kubeconfig ${path.join(s.dir, '.labsmith', 'nodeport', 'pki', 'admin.kubeconfig')}\n`));

  const again = await run(['pki', s.file, '--json']);
  t.is(again.code, 0, again.stderr);
  const doc = JSON.parse(again.stdout) as PkiJson;
  t.deepEqual(doc.summary, { created: 0, renewed: 0, removed: 0, kept: 14 });
  t.deepEqual(doc.entries.find((e) => e.name === 'kubelet-serving-node-3')!.sans, ['DNS:node-3', 'IP:192.168.2.13']);
  t.deepEqual(doc.entries.find((e) => e.name === 'kube-proxy')!.keyHosts, ['node-1', 'node-2', 'node-3']);

  await writeFile(s.file, (await readFile(s.file, 'utf8')).replace('address: 192.168.2.13', 'address: 192.168.2.33'));
  const moved = await run(['pki', s.file]);
  t.regex(moved.stdout, /\nkubelet-serving-node-3: renewed: SANs changed: \+IP:192\.168\.2\.33 -IP:192\.168\.2\.13\n/);
  t.true(moved.stdout.includes('14 entries: 0 created, 1 renewed, 0 removed, 13 kept'));

  const keys = await secrets(doc.dir);
  t.true(keys.length > 20);
  for (const out of [first.stdout, again.stdout, moved.stdout, first.stderr, again.stderr]) {
    t.false(out.includes('PRIVATE KEY'));
    t.false(out.includes('BEGIN'));
    for (const k of keys) t.false(out.includes(k), 'no key line or key base64 is printed');
  }
});

test('pki on a legacy lab says it has none and exits 0, writing nothing', async (t) => {
  const s = await scratchLab(t, 'kubernetes-101');
  const r = await run(['pki', s.file]);
  t.is(r.code, 0);
  t.is(r.stdout, 'lab kubernetes-101 is legacy: legacy labs have no PKI (the 2014-15 control plane speaks plain HTTP on port 8080, as in 2015)\n');
  const j = JSON.parse((await run(['pki', s.file, '--json'])).stdout) as PkiJson;
  t.deepEqual([j.legacy, j.entries], [true, []]);
  await t.throwsAsync(readFile(path.join(s.dir, '.labsmith', 'kubernetes-101', 'pki', 'ca.crt')), { code: 'ENOENT' });
});

test('pki on a bad lab exits 2 with FILE:LINE:COL', async (t) => {
  const s = await scratchLab(t, 'nodeport');
  await writeFile(s.file, (await readFile(exampleLab('nodeport'), 'utf8')).replace('clusterCidr: 10.42.0.0/16', 'clusterCidr: 10.42.0.0/16\n  clusterDomain: Not_A_Domain'));
  const r = await run(['pki', s.file]);
  t.is(r.code, 2);
  t.regex(r.stderr, /nodeport\.lab\.yaml:\d+:\d+: error: .*clusterDomain.*must be a DNS name/);
});
