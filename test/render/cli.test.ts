// `labsmith render` and `labsmith routes` as a user runs them.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, exampleLab } from '../helpers/paths.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const run = async (args: string[], cwd?: string) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], cwd ? { cwd } : {});
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const scratch = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-render-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

test('render -o DIR writes DIR/<host>/<absolute path> with modes, and a one-line summary', async (t) => {
  const dir = await scratch(t);
  const r = await run(['render', exampleLab('nodeport'), '-o', dir]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `${dir}: 49 files for 5 hosts (control 8, node-1 13, node-2 13, node-3 13, core 2)\n`);
  const kubelet = await readFile(path.join(dir, 'node-1/etc/systemd/system/kubelet.service'), 'utf8');
  t.is(kubelet, await readFile(path.join(GOLDEN_DIR, 'nodeport/node-1/etc/systemd/system/kubelet.service'), 'utf8'));
  t.is((await stat(path.join(dir, 'node-1/etc/kubernetes/kubelet.kubeconfig'))).mode & 0o777, 0o600);
  t.is((await stat(path.join(dir, 'core/etc/labsmith/routes.sh'))).mode & 0o777, 0o755);
});

test('render without -o writes out/<lab name>/ under the current directory', async (t) => {
  const cwd = await scratch(t);
  const r = await run(['render', exampleLab('kubernetes-101')], cwd);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.startsWith('out/kubernetes-101: 31 files for 5 hosts'));
  t.true((await readFile(path.join(cwd, 'out/kubernetes-101/kubmasta/etc/systemd/system/kube-apiserver.service'), 'utf8')).includes('--portal_net=10.100.0.0/16'));
});

test('render --json prints one document listing every file', async (t) => {
  const dir = await scratch(t);
  const r = await run(['render', exampleLab('service-routes'), '-o', dir, '--json']);
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
});

test('routes prints the lab platform by default, or --platform', async (t) => {
  const ios = await run(['routes', exampleLab('kubernetes-101')]);
  t.is(ios.code, 0);
  t.true(ios.stdout.includes('ip route 10.10.20.0 255.255.255.0 10.20.30.63 name kubminion2\n'));
  t.is(ios.stdout, await readFile(path.join(GOLDEN_DIR, 'kubernetes-101/routes/ios.txt'), 'utf8'));
  const frr = await run(['routes', exampleLab('kubernetes-101'), '--platform', 'frr']);
  t.is(frr.code, 0);
  t.true(frr.stdout.includes('ip route 10.10.20.0/24 10.20.30.63 tag 4242\n'));
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
