// End to end, as root: kubernetes-101 emulated, each host reached over SSH with the lab's key
// through the proxy command, hosts isolated from each other and from the machine, packets
// routed by the MLS, then torn down without a trace.
import test from 'ava';
import { existsSync } from 'node:fs';
import { emulateStatus } from '../../src/emulate/status.js';
import { emulatedTargets, type EmulatedTarget } from '../../src/emulate/targets.js';
import { emulateUp } from '../../src/emulate/up.js';
import { assertNothingRemains, cli, disposeLab, isAlive, makeLab, pidsInLab, requireEmulation, rootNetworkSnapshot, sshRun, type TestLab } from './helpers.js';

let tl: TestLab;
let targets: EmulatedTarget[];
let rootBefore: string;
const byName = (name: string) => targets.find((x) => x.host === name)!;

test.before(async () => {
  requireEmulation();
  rootBefore = rootNetworkSnapshot();
  tl = await makeLab('kubernetes-101', 'k101');
});

test.after.always(async () => {
  await disposeLab(tl);
});

test.serial('emulate up builds every node, the router and an outside host', async (t) => {
  const r = await cli(['emulate', 'up', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`${tl.name}: up in`));
  const s = await emulateStatus(tl.name, tl.env);
  t.is(s.status, 'up', JSON.stringify(s.hosts.flatMap((h) => h.problems)));
  t.deepEqual(s.hosts.map((h) => [h.name, h.kind]), [['mls', 'router'], ['kubmasta', 'node'], ['kubminion1', 'node'], ['kubminion2', 'node'], ['kubminion3', 'node'], ['outside', 'outside']]);
  const mls = s.hosts[0]!;
  t.deepEqual(mls.daemons.map((d) => [d.name, d.alive]), [['sshd', true], ['zebra', true], ['staticd', true]]);
  t.deepEqual(mls.interfaces.map((i) => i.address), ['10.20.30.1/24', '192.168.10.1/24', '198.18.0.1/30']);
  t.true(s.hosts.every((h) => h.rssKiB > 0));
  targets = await emulatedTargets(tl.lab, tl.env);
  t.is(targets.length, 6);
});

test.serial('up on a running lab is a no-op that says so', async (t) => {
  const r = await cli(['emulate', 'up', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /already up as .* describes it; nothing to do/);
  const again = await emulateUp(tl.lab, { env: tl.env });
  t.true(again.already);
});

test.serial('each host answers SSH with the lab key and sees its own name and address only', async (t) => {
  await Promise.all(
    targets.map(async (x) => {
      const r = sshRun(x, 'hostname; ip -4 -o addr show | awk \'{print $4}\'; id -u');
      t.is(r.code, 0, `${x.host}: ${r.stderr}`);
      const [hostname, ...rest] = r.stdout.trim().split('\n');
      t.is(hostname, x.host);
      t.is(rest.pop(), '0');
      const addrs = rest.map((a) => a.split('/')[0]);
      t.true(addrs.includes(x.address), `${x.host} holds ${x.address}`);
      if (x.kind === 'node') t.deepEqual(addrs.sort(), ['127.0.0.1', x.address].sort(), `${x.host} holds only its own address`);
    }),
  );
});

test.serial('a file written on one host exists there only: not on another host, not on the machine', async (t) => {
  const tag = `labsmith-test-${tl.name}`;
  const a = byName('kubminion1');
  const b = byName('kubminion2');
  const write = sshRun(a, `echo a > /etc/${tag} && mkdir -p /opt/kubernetes /etc/systemd/system && echo a > /opt/kubernetes/${tag} && echo a > /etc/systemd/system/${tag}.service && echo a > /var/lib/${tag} && echo a > /root/${tag} && echo a > /tmp/${tag} && cat /etc/${tag} /opt/kubernetes/${tag}`);
  t.is(write.code, 0, write.stderr);
  t.is(write.stdout, 'a\na\n');
  const files = [`/etc/${tag}`, `/opt/kubernetes/${tag}`, `/etc/systemd/system/${tag}.service`, `/var/lib/${tag}`, `/root/${tag}`, `/tmp/${tag}`];
  const look = sshRun(b, files.map((f) => `test ! -e ${f}`).join(' && ') + ' && echo absent');
  t.is(look.stdout.trim(), 'absent', look.stderr);
  for (const f of files) t.false(existsSync(f), `${f} is not on the machine`);
  // The rest of the machine is read-only from inside a host.
  const ro = sshRun(a, `touch /usr/${tag} 2>&1; echo $?`);
  t.regex(ro.stdout, /Read-only file system/);
  t.false(existsSync(`/usr/${tag}`));
});

test.serial('nodes reach the MLS gateway and nodes on the other segment; outside reaches the nodes', async (t) => {
  const ping = (from: string, to: string) => cli(['emulate', 'exec', tl.file, from, '--', 'ping', '-c', '1', '-W', '2', to], tl.env);
  const results = await Promise.all([ping('kubmasta', '10.20.30.1'), ping('kubminion3', '192.168.10.1'), ping('kubmasta', '192.168.10.64'), ping('kubminion3', '10.20.30.62'), ping('outside', '10.20.30.61')]);
  for (const r of results) t.is(r.code, 0, r.stdout + r.stderr);
  // No route to the service range anywhere: pinging it fails, and exec passes the status through.
  const svc = await ping('kubmasta', '10.100.87.105');
  t.not(svc.code, 0);
  const exit = await cli(['emulate', 'exec', tl.file, 'kubmasta', '--', 'sh', '-c', 'exit 7'], tl.env);
  t.is(exit.code, 7);
});

test.serial('the router runs FRR with forwarding on and no static routes; vtysh works as root', async (t) => {
  const r = sshRun(byName('mls'), "vtysh -c 'show ip route json'; cat /proc/sys/net/ipv4/ip_forward");
  t.is(r.code, 0, r.stderr);
  const forward = r.stdout.trim().split('\n').pop();
  t.is(forward, '1');
  const routes = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1)) as Record<string, { protocol: string }[]>;
  t.deepEqual(Object.keys(routes).sort(), ['10.20.30.0/24', '192.168.10.0/24', '198.18.0.0/30']);
  t.true(Object.values(routes).flat().every((x) => x.protocol === 'connected'));
  const nodeForward = sshRun(byName('kubminion1'), 'cat /proc/sys/net/ipv4/ip_forward; ip link show docker0 2>/dev/null | wc -l');
  t.is(nodeForward.stdout, '0\n0\n', 'nodes get no forwarding and no docker0 from emulate');
});

test.serial('down removes every namespace, process, mount and runtime file, sessions included', async (t) => {
  // A process a session left behind in a host.
  const bg = sshRun(byName('kubmasta'), 'nohup sleep 4242 >/dev/null 2>&1 & echo started');
  t.is(bg.code, 0, bg.stderr);
  const sleepers = await pidsInLab(tl, 'sleep 4242');
  t.is(sleepers.length, 1);
  const r = await cli(['down', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /down in/);
  await assertNothingRemains(t, tl, sleepers);
  t.false(isAlive(sleepers[0]!));
  t.is(rootNetworkSnapshot(), rootBefore, 'the root namespace is untouched');
  const again = await cli(['down', tl.file], tl.env);
  t.is(again.code, 0);
  t.regex(again.stdout, /not up; nothing to do/);
  const status = await cli(['emulate', 'status', tl.file, '--json'], tl.env);
  t.is(JSON.parse(status.stdout).status, 'down');
  await t.throwsAsync(emulatedTargets(tl.lab, tl.env), { message: /is not up/ });
});
