// End to end, as root: every emulated host boots real systemd in a cgroup namespace of its
// own, and the machine's sysctls, cgroup layout and units do not move. apply's handlers run
// for real: docker (Debian's docker.io, from labsmith's rendered unit) makes docker0 with the
// lab's bip, etcd runs on the master, a second apply restarts nothing, and a changed pod CIDR
// restarts docker alone and moves docker0. down leaves nothing, cgroups included.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emulatedTargets, type EmulatedTarget } from '../../src/emulate/targets.js';
import { assertNothingRemains, cli, disposeLab, labCgroups, makeLab, requireEmulation, sshRun, type TestLab } from './helpers.js';

let tl: TestLab;
let targets: EmulatedTarget[];
let machineBefore: Record<string, string>;
const byName = (name: string) => targets.find((x) => x.host === name)!;

/** What of the machine the hosts' systemd could touch: kernel settings (but the counters that
 * move by themselves), the cgroup mounts and the first level of every hierarchy, the units. */
function machineSnapshot(): Record<string, string> {
  const volatile = /^(kernel\.(random|ns_last_pid|pty\.nr|sched_domain)|fs\.(dentry-state|inode-nr|inode-state|file-nr|quota)|net\.netfilter\.nf_conntrack_count|vm\.stat|dev\.cdrom|kernel\.tainted|net\.ipv4\.tcp_mem|net\.ipv4\.udp_mem|fs\.aio-nr|kernel\.unprivileged|user\.)/;
  const sysctl = spawnSync('sysctl', ['-a'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l && !volatile.test(l)).join('\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ').slice(4).join(' ')).join('\n');
  const layout = readdirSync('/sys/fs/cgroup').map((h) => {
    const dir = path.join('/sys/fs/cgroup', h);
    const subdirs = readdirSync(dir).filter((e) => statSync(path.join(dir, e)).isDirectory() && e !== 'labsmith').sort();
    return `${h}: ${subdirs.join(' ')}`;
  });
  const units = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return units(p);
      return [`${p}${e.isSymbolicLink() ? ` -> ${readlinkSync(p)}` : ''}`];
    });
  return {
    sysctl,
    cgroupMounts: mounts,
    cgroupLayout: layout.join('\n'),
    unifiedControllers: readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8'),
    units: [...units('/etc/systemd/system'), ...units('/lib/systemd/system')].sort().join('\n'),
    pid1: readFileSync('/proc/1/comm', 'utf8'),
  };
}

function assertMachineUnchanged(t: import('ava').ExecutionContext, when: string): void {
  const now = machineSnapshot();
  for (const k of Object.keys(machineBefore)) t.is(now[k], machineBefore[k], `${when}: the machine's ${k} did not move`);
}

async function applyJson(): Promise<{ ok: boolean; hosts: { host: string; handlers: string[]; live: string[]; skipped: string[]; updated: string[] }[] }> {
  const r = await cli(['apply', tl.file, '--emulated', '--json'], tl.env);
  t0Check(r.code, r.stderr);
  return JSON.parse(r.stdout);
}
function t0Check(code: number, stderr: string): void {
  if (code !== 0) throw new Error(`apply exited ${code}: ${stderr}`);
}

/** ActiveEnterTimestamp of each unit: it moves only when the unit (re)starts. */
function started(host: string, units: string[]): Record<string, string> {
  const r = sshRun(byName(host), `systemctl show -p Id,ActiveEnterTimestamp,ActiveState ${units.join(' ')}`);
  const out: Record<string, string> = {};
  for (const block of r.stdout.trim().split('\n\n')) {
    const f = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    out[f.Id!] = `${f.ActiveState} ${f.ActiveEnterTimestamp}`;
  }
  return out;
}

test.before(async () => {
  requireEmulation();
  machineBefore = machineSnapshot();
  tl = await makeLab('kubernetes-101', 'sysd');
});

test.after.always(async () => {
  await disposeLab(tl);
});

test.serial('every host boots systemd as its PID 1 in a cgroup namespace of its own; the machine does not move', async (t) => {
  const r = await cli(['emulate', 'up', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  targets = await emulatedTargets(tl.lab, tl.env);
  for (const x of targets) {
    const s = sshRun(x, 'ps -p 1 -o comm=; systemctl is-system-running; systemd-detect-virt; cat /proc/1/cgroup | grep name=systemd; systemctl --failed --no-legend; systemctl is-active ssh');
    t.is(s.code, 0, `${x.host}: ${s.stderr}`);
    const [pid1, running, virt, cgroup, ...rest] = s.stdout.trim().split('\n');
    t.is(pid1, 'systemd', x.host);
    t.is(running, 'running', `${x.host}: ${s.stdout}`);
    t.is(virt, 'container-other', x.host);
    t.is(cgroup, '9:name=systemd:/init.scope', `${x.host}: its cgroup tree starts at its own root`);
    t.deepEqual(rest, ['active'], `${x.host}: no failed unit; sshd runs as ssh.service`);
  }
  t.is(sshRun(byName('mls'), 'systemctl is-active frr').stdout.trim(), 'active', 'FRR runs as frr.service');
  t.is(labCgroups(tl.name).length, readdirSync('/sys/fs/cgroup').length, 'the lab has its cgroup in every hierarchy');
  assertMachineUnchanged(t, 'after up');
});

test.serial('apply runs the handlers: docker makes docker0 with the bip, etcd runs; a second apply restarts nothing', async (t) => {
  const first = await applyJson();
  t.true(first.ok);
  for (const h of first.hosts) t.deepEqual(h.skipped, [], `${h.host}: no handler skipped`);
  const m1 = first.hosts.find((h) => h.host === 'kubminion1')!;
  t.deepEqual(m1.handlers, ['daemon-reload', 'restart docker.service', 'restart labsmith-forward.service', 'restart kubelet.service', 'restart kube-proxy.service']);
  t.false(m1.live.some((l) => l.includes('docker0')), `docker0 is docker's to make: ${m1.live.join('; ')}`);
  const master = first.hosts.find((h) => h.host === 'kubmasta')!;
  t.deepEqual(master.handlers, ['daemon-reload', 'restart etcd.service', 'restart kube-apiserver.service', 'restart kube-controller-manager.service', 'restart kube-scheduler.service']);

  const d = sshRun(byName('kubminion1'), 'systemctl is-active docker; ip -4 -o addr show dev docker0 | awk \'{print $4}\'; docker network inspect bridge -f "{{(index .IPAM.Config 0).Gateway}}"; readlink /proc/$(systemctl show -p MainPID --value docker)/exe');
  t.deepEqual(d.stdout.trim().split('\n'), ['active', '10.10.10.1/24', '10.10.10.1', '/usr/sbin/dockerd'], d.stderr);
  const e = sshRun(byName('kubmasta'), 'systemctl is-active etcd; readlink /opt/kubernetes/etcd; curl -s http://127.0.0.1:4001/v2/keys/ | tr -d "\\n"; echo; curl -s http://127.0.0.1:4001/version');
  const [etcdActive, etcdLink, v2, version] = e.stdout.trim().split('\n');
  t.is(etcdActive, 'active', e.stdout + e.stderr);
  t.is(etcdLink, '/usr/bin/etcd');
  t.regex(v2!, /"action":"get"/, 'the v2 API the legacy apiserver needs answers');
  t.regex(version!, /"etcdserver":"3\.4\./);
  // Kubernetes' own binaries: stand-ins where the package ships them, else nothing to run.
  for (const host of ['kubmasta', 'kubminion1']) {
    const units = host === 'kubmasta' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] : ['kubelet', 'kube-proxy'];
    const show = sshRun(byName(host), `systemctl show -p Id,ActiveState,SubState,ExecMainStatus ${units.join(' ')} | paste -sd' '`);
    t.log(`${host}: ${show.stdout.trim()}`);
  }

  const before = { master: started('kubmasta', ['etcd.service']), m1: started('kubminion1', ['docker.service']), m2: started('kubminion2', ['docker.service']) };
  const second = await applyJson();
  for (const h of second.hosts) t.deepEqual(h.handlers, [], `${h.host}: nothing restarted`);
  t.deepEqual(started('kubmasta', ['etcd.service']), before.master);
  t.deepEqual(started('kubminion1', ['docker.service']), before.m1);
  t.deepEqual(started('kubminion2', ['docker.service']), before.m2);
});

test.serial('a pod CIDR changed: apply restarts docker and the FORWARD rules there and nothing else, and dockerd moves docker0', async (t) => {
  const before = { m1: started('kubminion1', ['docker.service', 'kubelet.service']), m2: started('kubminion2', ['docker.service']), master: started('kubmasta', ['etcd.service']) };
  await writeFile(tl.file, (await readFile(tl.file, 'utf8')).replace('podCidr: 10.10.10.0/24', 'podCidr: 10.10.60.0/24'));
  const r = await applyJson();
  const m1 = r.hosts.find((h) => h.host === 'kubminion1')!;
  t.deepEqual(m1.handlers, ['restart docker.service', 'restart labsmith-forward.service']);
  t.deepEqual(m1.live, [], 'no live docker0 change: docker makes it');
  for (const h of r.hosts.filter((x) => x.host !== 'kubminion1')) t.deepEqual(h.handlers, [], `${h.host}: nothing restarted`);
  const after = started('kubminion1', ['docker.service', 'kubelet.service']);
  t.not(after['docker.service'], before.m1['docker.service'], 'docker restarted');
  t.regex(after['docker.service']!, /^active /);
  t.deepEqual(started('kubminion2', ['docker.service']), before.m2);
  t.deepEqual(started('kubmasta', ['etcd.service']), before.master);
  t.is(sshRun(byName('kubminion1'), 'ip -4 -o addr show dev docker0 | awk \'{print $4}\'').stdout.trim(), '10.10.60.1/24');
  const v = await cli(['verify', tl.file, '--emulated'], tl.env);
  t.is(v.code, 0, v.stdout + v.stderr);
});

test.serial('down leaves nothing: no namespace, process, mount or cgroup; the machine is as before', async (t) => {
  const r = await cli(['down', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  await assertNothingRemains(t, tl);
  assertMachineUnchanged(t, 'after down');
});
