// `labsmith render` and `labsmith routes` as a user runs them.
import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleLab, ROOT } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const run = (args: string[], cwd?: string) => runCli(args, cwd ? { cwd } : {});

const scratch = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-render-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

/** A copy of an example lab in a scratch directory: a 1.x lab's PKI is made beside it, not in lab/. */
const labCopy = async (t: { teardown(fn: () => Promise<void>): void }, name: string) => {
  const dir = await scratch(t);
  const file = path.join(dir, `${name}.lab.yaml`);
  await writeFile(file, await readFile(exampleLab(name), 'utf8'));
  return file;
};

test('render -o DIR writes DIR/<host>/<absolute path> with modes, and a one-line summary', async (t) => {
  const dir = await scratch(t);
  const r = await run(['render', await labCopy(t, 'nodeport'), '-o', dir]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `${dir}: 75 files for 5 hosts (control 15, node-1 19, node-2 19, node-3 19, core 3)\n15 of them hold private keys (mode 0600): keep ${dir} private\n`);
  const kubelet = await readFile(path.join(dir, 'node-1/etc/systemd/system/kubelet.service'), 'utf8');
  t.is(kubelet, await readFile(path.join(GOLDEN_DIR, 'nodeport/node-1/etc/systemd/system/kubelet.service'), 'utf8'));
  t.is((await stat(path.join(dir, 'node-1/etc/kubernetes/kubelet.kubeconfig'))).mode & 0o777, 0o600);
  t.is((await stat(path.join(dir, 'node-1/etc/kubernetes/pki/kubelet.key'))).mode & 0o777, 0o600);
  t.is((await stat(path.join(dir, 'node-1/etc/kubernetes/pki/kubelet.crt'))).mode & 0o777, 0o644);
  t.is((await stat(path.join(dir, 'core/etc/labsmith/routes.sh'))).mode & 0o777, 0o755);
});

test('render without -o writes out/<lab name>/ under the current directory', async (t) => {
  const cwd = await scratch(t);
  const r = await run(['render', exampleLab('kubernetes-101')], cwd);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.startsWith('out/kubernetes-101: 37 files for 5 hosts'));
  t.true((await readFile(path.join(cwd, 'out/kubernetes-101/kubmasta/etc/systemd/system/kube-apiserver.service'), 'utf8')).includes('--portal_net=10.100.0.0/16'));
});

test('render --json prints one document listing every file', async (t) => {
  const dir = await scratch(t);
  const r = await run(['render', await labCopy(t, 'service-routes'), '-o', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { lab: string; summary: { hosts: number; files: number }; hosts: { host: string; role: string; files: { path: string; mode: string; notifies: string[]; sha256: string }[] }[] };
  t.is(doc.lab, 'service-routes');
  t.is(doc.hosts.length, doc.summary.hosts);
  t.is(doc.hosts.flatMap((h) => h.files).length, doc.summary.files);
  const frr = doc.hosts.find((h) => h.role === 'router')!.files.find((f) => f.path === '/etc/frr/labsmith-routes.conf')!;
  t.is(frr.mode, '0640');
  const unit = doc.hosts.find((h) => h.host === 'master')!.files.find((f) => f.path.endsWith('kube-apiserver.service'))!;
  t.deepEqual(unit.notifies, ['daemon-reload', 'restart kube-apiserver.service']);
  t.regex(unit.sha256, /^[0-9a-f]{64}$/);
  // Keys are written (that is what -o asks for) and marked, but never printed.
  const key = doc.hosts.find((h) => h.host === 'node-2')!.files.find((f) => f.path === '/etc/kubernetes/pki/kubelet.key')! as { mode: string; secret?: boolean };
  t.deepEqual([key.mode, key.secret], ['0600', true]);
  t.false(r.stdout.includes('PRIVATE KEY'));
});

test('routes prints the lab platform by default, or --platform', async (t) => {
  const ios = await run(['routes', exampleLab('kubernetes-101')]);
  t.is(ios.code, 0);
  t.true(ios.stdout.includes('ip route 10.10.20.0 255.255.255.0 10.20.30.63 name labsmith-kubminion2 tag 4242\n'));
  t.is(ios.stdout, await readFile(path.join(GOLDEN_DIR, 'kubernetes-101/routes/ios.txt'), 'utf8'));
  const frr = await run(['routes', exampleLab('kubernetes-101'), '--platform', 'frr']);
  t.is(frr.code, 0);
  t.true(frr.stdout.includes('ip route 10.10.20.0/24 10.20.30.63 tag 4242\n'));
});

test('routes --against FILE removes the stale labsmith route of a capture; foreign routes stay and are noted', async (t) => {
  const capture = path.join(ROOT, 'test/fixtures/routes/ios-show-running-config.txt');
  const r = await run(['routes', exampleLab('kubernetes-101'), '--against', capture]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('no ')), ['no ip route 10.10.50.0 255.255.255.0 10.20.30.65']);
  t.regex(r.stdout, /^! Against ios-show-running-config\.txt: removes 1 labsmith route the lab no longer has; 3 routes of the lab already there\.$/m);
  t.is(r.stderr, `labsmith: note: ${capture} also routes 10.10.10.0/24 via 10.20.30.99, without labsmith's mark: left alone (remove it by hand if it is stale)\n`);
});

test('routes --against a previous rendering of the same lab removes nothing; --save ends with write memory', async (t) => {
  const dir = await scratch(t);
  const previous = path.join(dir, 'mls.cfg');
  await writeFile(previous, (await run(['routes', exampleLab('kubernetes-101')])).stdout);
  const r = await run(['routes', exampleLab('kubernetes-101'), '--against', previous, '--save']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(/^no /m.test(r.stdout));
  t.true(r.stdout.endsWith('tag 4242\nend\nwrite memory\n'));
});

test('routes --against a file that is missing, empty or of another platform exits 2 naming it', async (t) => {
  const dir = await scratch(t);
  const empty = path.join(dir, 'empty.txt');
  await writeFile(empty, '');
  const junos = path.join(ROOT, 'test/fixtures/routes/junos-display-set.txt');
  for (const [file, message] of [
    [path.join(dir, 'nope.txt'), `--against ${path.join(dir, 'nope.txt')}: cannot read it: ENOENT`],
    [dir, `--against ${dir}: cannot read it: EISDIR`],
    [empty, `--against ${empty}: the file is empty`],
    [junos, `--against ${junos}: nothing in it reads as ios configuration`],
    [exampleLab('kubernetes-101'), `--against ${exampleLab('kubernetes-101')}: nothing in it reads as ios configuration`],
  ] as const) {
    const r = await run(['routes', exampleLab('kubernetes-101'), '--against', file]);
    t.is(r.code, 2, file);
    t.is(r.stdout, '');
    t.true(r.stderr.startsWith(`labsmith: ${message}`), r.stderr);
    t.false(r.stderr.includes('    at '), 'no stack trace');
  }
  const save = await run(['routes', exampleLab('kubernetes-101'), '--platform', 'junos', '--save']);
  t.is(save.code, 2);
  t.regex(save.stderr, /--save is for ios, nxos and eos, not junos/);
});

test('routes --help explains marks, --against captures per platform and --save', async (t) => {
  const r = await run(['routes', '--help']);
  t.is(r.code, 0);
  for (const s of ['--against <file>', '--save', 'show configuration | display set', '/ip route export', 'ip route show', 'never removed']) t.true(r.stdout.includes(s), s);
});

test('routes with an unknown platform exits 2 and lists the valid ones', async (t) => {
  const r = await run(['routes', exampleLab('kubernetes-101'), '--platform', 'catos']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.true(r.stderr.includes('unknown platform "catos"'));
  t.true(r.stderr.includes('ios, nxos, eos, junos, frr, vyos, linux, routeros'));
});

test('bad input exits 2 for render and routes, with FILE:LINE:COL and no stack trace', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'bad.lab.yaml');
  await writeFile(file, (await readFile(exampleLab('kubernetes-101'), 'utf8')).replace('podCidr: 10.10.20.0/24', 'podCidr: 10.10.20.0/33'));
  for (const args of [['render', file, '-o', path.join(dir, 'out')], ['routes', file]]) {
    const r = await run(args);
    t.is(r.code, 2, args[0]);
    t.regex(r.stderr, /bad\.lab\.yaml:\d+:\d+: error: /);
    t.notRegex(r.stderr, /\n\s+at /);
  }
  const missing = await run(['render', path.join(dir, 'nope.lab.yaml')]);
  t.is(missing.code, 2);
});
