// The preflight: without root, Linux or a program, emulate stops before changing anything,
// says what is missing and the apt-get line; exit 2.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../src/core/package-root.js';
import { aptPackages, checkPreflight, ESSENTIAL_PACKAGES, parsePackageList, PROGRAMS } from '../../src/emulate/preflight.js';
import { CLI, exampleLab } from '../helpers/paths.js';
import { INOTIFY_PER_HOST, inotifyProblem, rootInotifyInstances } from '../../src/emulate/limits.js';
import { generateLabYaml } from '../../bench/gen-lab.js';

const everything = (f: string) => !f.includes('missing');
const base = { platform: 'linux' as const, uid: 0, pathVar: '/usr/sbin:/usr/bin', frrDir: '/usr/lib/frr', passwd: 'root:x:0:0::/root:/bin/bash\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\nfrr:x:101:102::/nonexistent:/usr/sbin/nologin\n' };

test('all present: tools resolved to absolute paths through PATH', (t) => {
  const r = checkPreflight({ ...base, isExecutable: (f) => f.startsWith('/usr/bin/') || f.startsWith('/usr/lib/frr/') || f === '/lib/systemd/systemd' });
  t.true(r.ok);
  if (r.ok) {
    t.is(r.tools.sshd, '/usr/bin/sshd');
    t.is(r.tools.frrDir, '/usr/lib/frr');
  }
});

test('missing programs are each named with their package, packages listed once', (t) => {
  const r = checkPreflight({ ...base, isExecutable: (f) => everything(f) && !/\/(socat|nsenter|unshare|zebra)$/.test(f) });
  t.false(r.ok);
  if (!r.ok) {
    t.deepEqual(r.problems, ['socat not found in PATH (package socat)', 'unshare not found in PATH (package util-linux)', 'nsenter not found in PATH (package util-linux)', '/usr/lib/frr/zebra not found (package frr)']);
    t.deepEqual(r.packages, ['socat', 'util-linux', 'frr']);
  }
});

test('not root and not Linux are reported', (t) => {
  const notRoot = checkPreflight({ ...base, uid: 1000, isExecutable: everything });
  t.false(notRoot.ok);
  if (!notRoot.ok) t.regex(notRoot.problems[0]!, /needs root.*uid 1000/);
  const mac = checkPreflight({ ...base, platform: 'darwin', isExecutable: everything });
  t.false(mac.ok);
  if (!mac.ok) t.regex(mac.problems[0]!, /needs Linux.*this is darwin/);
});

test('missing frr user is reported', (t) => {
  const r = checkPreflight({ ...base, passwd: 'root:x:0:0::/root:/bin/bash\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n', isExecutable: everything });
  t.false(r.ok);
  if (!r.ok) t.deepEqual(r.packages, ['frr']);
});

test('the CLI with a PATH lacking socat, ssh-keygen and ping stops with exit 2, the list and the apt-get line, and creates nothing', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-fakepath-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  const keep = PROGRAMS.map((p) => p.name).filter((n) => !['socat', 'ssh-keygen', 'ping'].includes(n));
  for (const name of keep) {
    const real = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => path.join(d, name)).find((f) => existsSync(f));
    if (real) await symlink(real, path.join(bin, name));
  }
  const state = path.join(dir, 'state');
  const r = await promisify(execFile)(process.execPath, [CLI, 'emulate', 'up', exampleLab('kubernetes-101')], { env: { PATH: bin, LABSMITH_STATE_DIR: state } }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
  t.is(r.code, 2);
  t.regex(r.stderr, /nothing was changed/);
  t.regex(r.stderr, /- ssh-keygen not found in PATH \(package openssh-client\)/);
  t.regex(r.stderr, /- socat not found in PATH \(package socat\)/);
  t.regex(r.stderr, /- ping not found in PATH \(package iputils-ping\)/);
  t.regex(r.stderr, /apt-get install -y openssh-client socat iputils-ping\n/);
  t.false(existsSync(state), 'no state directory was created');
});

test('the CLI run by a non-root user stops with exit 2 before changing anything', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-nonroot-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const state = path.join(dir, 'state');
  const r = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'emulate', 'up', exampleLab('kubernetes-101')], { env: { PATH: process.env.PATH, LABSMITH_STATE_DIR: state } }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /needs root/);
  t.false(existsSync(state));
});

test('one package list: setup.sh installs scripts/apt-packages.txt, and it names every program the preflight looks for', async (t) => {
  const list = aptPackages();
  t.true(list.includes('python3'), 'verify runs python3 in the hosts');
  for (const p of PROGRAMS) t.true(list.includes(p.pkg) || ESSENTIAL_PACKAGES.includes(p.pkg), `${p.pkg} (for ${p.name}) is in scripts/apt-packages.txt`);
  t.true(list.includes('frr'));
  // setup.sh reads the file with the same rules (comments, blank lines) and installs exactly that.
  const r = await promisify(execFile)('bash', ['-c', `cd ${JSON.stringify(path.join(PACKAGE_ROOT))} && eval "$(sed -n '/^mapfile/p' scripts/setup.sh)" && printf '%s\\n' "\${PACKAGES[@]}"`]);
  t.deepEqual(r.stdout.trim().split('\n'), list);
  t.deepEqual(parsePackageList('# c\n a  # x\n\nb\n'), ['a', 'b']);
});

test('emulate --help prints the apt-get line with every package of the list', async (t) => {
  const r = await promisify(execFile)(process.execPath, [CLI, 'emulate', '--help']);
  t.true(r.stdout.includes(`apt-get install -y ${aptPackages().join(' ')}\n`), r.stdout);
});

test('inotify: each host\'s systemd needs three instances of root\'s fs.inotify.max_user_instances', (t) => {
  t.is(inotifyProblem(42, 0, 128), undefined);
  const p = inotifyProblem(52, 10, 128);
  t.regex(p!, /^52 hosts need 156 inotify instances .* root has 118 of fs\.inotify\.max_user_instances=128 left \(10 in use\): 39 more hosts fit\. Raise it on this machine \(sysctl -w fs\.inotify\.max_user_instances=512\) or emulate a smaller lab$/);
});

test('a lab with more hosts than this machine can boot is refused before anything is made (exit 2)', async (t) => {
  const max = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
  const nodes = Math.ceil((max - rootInotifyInstances()) / INOTIFY_PER_HOST) + 5;
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-big-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.lab.yaml');
  await writeFile(file, generateLabYaml(nodes).replace(/^name: .*$/m, `name: big${process.pid}`));
  const state = path.join(dir, 'state');
  const r = await promisify(execFile)(process.execPath, [CLI, 'emulate', 'up', file], { env: { ...process.env, LABSMITH_STATE_DIR: state }, maxBuffer: 1 << 24 }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /cannot boot the emulated hosts; nothing was changed: \d+ hosts need \d+ inotify instances/);
  t.false(existsSync(path.join(state, `big${process.pid}`, 'state.json')));
  t.false(existsSync(`/run/netns/lsm-big${process.pid}`));
});
