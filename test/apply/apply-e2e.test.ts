// apply on the emulated lab, as a user runs it: converge, idempotence, a changed pod CIDR,
// a host that is down, a killed apply, a changed host key. One lab, tests in order.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { readLab } from '../../src/lab/read.js';
import { renderLab } from '../../src/render/index.js';
import { sha256 } from '../../src/core/hash.js';
import { cli, disposeLab, makeLab, requireEmulation, type TestLab } from '../emulate/helpers.js';
import { CLI } from '../helpers/paths.js';

let tl: TestLab;
let original: string;

interface HostJson {
  host: string;
  status: string;
  created: string[];
  updated: string[];
  live: string[];
  handlers: string[];
  skipped: string[];
  error?: { kind: string; message: string };
  connections?: number;
  commands?: number;
  bytesSent?: number;
}
interface ReportJson {
  ok: boolean;
  hosts: HostJson[];
  totals: { changed: number; unchanged: number; failed: number; files: number; connections: number; commands: number; bytesSent: number };
}

const apply = async (...extra: string[]) => {
  const r = await cli(['apply', tl.file, '--emulated', '--json', ...extra], tl.env);
  if (!r.stdout.trim()) throw new Error(`apply printed no JSON (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as ReportJson, stderr: r.stderr };
};
const host = (rep: ReportJson, name: string) => rep.hosts.find((h) => h.host === name)!;
const inHost = async (name: string, ...cmd: string[]) => {
  const r = await cli(['emulate', 'exec', tl.file, name, '--', ...cmd], tl.env);
  return r;
};
const mlsRoutes = async () => {
  const r = await inHost('mls', 'ip', '-j', 'route', 'show');
  return (JSON.parse(r.stdout) as { dst: string; gateway?: string }[]).filter((x) => x.gateway).map((x) => `${x.dst} via ${x.gateway}`).sort();
};

/** Every managed file on every node, as sha256 by host and path. */
const remoteHashes = async (paths: Map<string, string[]>) => {
  const out = new Map<string, Map<string, string>>();
  for (const [h, ps] of paths) {
    const r = await inHost(h, 'sha256sum', '--', ...ps);
    const m = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const x = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (x) m.set(x[2]!, x[1]!);
    }
    out.set(h, m);
  }
  return out;
};

test.before(async () => {
  requireEmulation();
  tl = await makeLab('kubernetes-101', 'apply');
  original = await readFile(tl.file, 'utf8');
  const up = await cli(['emulate', 'up', tl.file], tl.env);
  if (up.code !== 0) throw new Error(`emulate up failed: ${up.stderr}`);
});

test.after.always(async () => {
  await disposeLab(tl);
});

test.serial('a fresh lab: every host gets its files byte for byte, docker0, forwarding, its default route; the MLS exactly the pod routes', async (t) => {
  const { code, report } = await apply();
  t.is(code, 0);
  t.is(report.totals.failed, 0);
  t.is(report.totals.changed, 5);
  const { lab } = await readLab(tl.file);
  const renders = renderLab({ ...lab, router: { ...lab.router, platform: 'frr' } });
  const hashes = await remoteHashes(new Map(renders.map((r) => [r.host, r.files.map((f) => f.path)])));
  for (const r of renders) {
    for (const f of r.files) t.is(hashes.get(r.host)!.get(f.path), sha256(f.content), `${r.host}:${f.path}`);
    const mode = await inHost(r.host, 'stat', '-c', '%a %U %G', '--', ...r.files.map((f) => f.path));
    t.deepEqual(mode.stdout.trim().split('\n'), r.files.map((f) => `${f.mode.toString(8)} ${f.owner} ${f.group}`), `${r.host} modes and owners`);
  }
  for (const n of lab.nodes) {
    const fwd = await inHost(n.name, 'cat', '/proc/sys/net/ipv4/ip_forward');
    t.is(fwd.stdout.trim(), '1', `${n.name} forwards`);
    const def = await inHost(n.name, 'ip', '-j', 'route', 'show', 'default');
    t.is(JSON.parse(def.stdout)[0].gateway, n.gateway, `${n.name} default route`);
    if (n.docker0) {
      const br = JSON.parse((await inHost(n.name, 'ip', '-j', 'addr', 'show', 'dev', 'docker0')).stdout)[0];
      t.true(br.flags.includes('UP'), `${n.name} docker0 up`);
      t.deepEqual(br.addr_info.filter((a: { family: string }) => a.family === 'inet').map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`), [`${n.docker0.gateway}/${n.docker0.prefix.length}`]);
    }
  }
  // systemd runs the handlers: docker, restarted from its rendered options, makes docker0.
  for (const h of report.hosts) t.deepEqual(h.skipped, [], `${h.host}: no handler skipped`);
  for (const n of lab.nodes.filter((x) => x.docker0)) {
    t.true(host(report, n.name).handlers.includes('restart docker.service'), n.name);
    t.false(host(report, n.name).live.some((l) => l.includes('docker0')), `${n.name}: docker0 is docker's to make`);
  }
  t.deepEqual(await mlsRoutes(), ['10.10.10.0/24 via 10.20.30.62', '10.10.20.0/24 via 10.20.30.63', '10.10.30.0/24 via 192.168.10.64']);
  // A pod-subnet address on kubminion3 (lab-b) answers kubminion1 (lab-a) through the MLS.
  const ping = await inHost('kubminion1', 'ping', '-c', '1', '-W', '2', '10.10.30.1');
  t.is(ping.code, 0, ping.stdout + ping.stderr);
  t.regex(ping.stdout, /ttl=63/, 'one router hop: the MLS');
});

test.serial('a second apply changes nothing, uploads nothing, runs no handler: one connection and one command per host', async (t) => {
  const { code, report } = await apply();
  t.is(code, 0);
  t.like(report.totals, { changed: 0, unchanged: 5, failed: 0, files: 0, bytesSent: 0, connections: 5, commands: 5 });
  for (const h of report.hosts) {
    t.like(h, { status: 'unchanged', created: [], updated: [], live: [], handlers: [], connections: 1, commands: 1, bytesSent: 0 }, h.host);
  }
  const plan = await cli(['plan', tl.file, '--emulated'], tl.env);
  t.is(plan.code, 0);
  t.regex(plan.stdout, /5 hosts: 0 would change/);
});

test.serial('changing one pod CIDR changes exactly the files and routes that depend on it', async (t) => {
  const before = (await readLab(tl.file)).lab;
  await writeFile(tl.file, original.replace('podCidr: 10.10.20.0/24', 'podCidr: 10.10.40.0/24'));
  const after = (await readLab(tl.file)).lab;
  const frr = (l: typeof before) => renderLab({ ...l, router: { ...l.router, platform: 'frr' } });
  const old = new Map(frr(before).flatMap((r) => r.files.map((f) => [`${r.host}:${f.path}`, f.content])));
  const expected = frr(after)
    .flatMap((r) => r.files.filter((f) => old.get(`${r.host}:${f.path}`) !== f.content).map((f) => `${r.host}:${f.path}`))
    .sort();
  t.true(expected.length >= 3, 'the change touches the minion and the MLS');

  const { code, report } = await apply();
  t.is(code, 0);
  const changed = report.hosts.flatMap((h) => [...h.created, ...h.updated].map((p) => `${h.host}:${p}`)).sort();
  t.deepEqual(changed, expected);
  t.deepEqual(report.hosts.filter((h) => h.status === 'changed').map((h) => h.host).sort(), ['kubminion2', 'mls']);
  // dockerd, restarted with the new bip, moves docker0 itself: no live change; the FORWARD
  // accept rules follow the new pod CIDR; nothing else restarts.
  t.deepEqual(host(report, 'kubminion2').live, []);
  t.deepEqual(host(report, 'kubminion2').handlers, ['restart docker.service', 'restart labsmith-forward.service']);
  t.is((await inHost('kubminion2', 'sh', '-c', "ip -4 -o addr show dev docker0 | awk '{print $4}'")).stdout.trim(), '10.10.40.1/24');
  t.deepEqual(host(report, 'mls').live, ['add route 10.10.40.0/24 via 10.20.30.63 (kubminion2)', 'remove route 10.10.20.0/24 via 10.20.30.63 (no longer in the lab)']);
  t.deepEqual(await mlsRoutes(), ['10.10.10.0/24 via 10.20.30.62', '10.10.30.0/24 via 192.168.10.64', '10.10.40.0/24 via 10.20.30.63']);

  await writeFile(tl.file, original);
  const back = await apply();
  t.is(back.code, 0);
  t.deepEqual(await mlsRoutes(), ['10.10.10.0/24 via 10.20.30.62', '10.10.20.0/24 via 10.20.30.63', '10.10.30.0/24 via 192.168.10.64']);
});

test.serial('routes labsmith does not own are left alone; a wrong next hop of its own is replaced', async (t) => {
  const conf = (...lines: string[]) => inHost('mls', 'vtysh', '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l]));
  await conf('ip route 172.31.0.0/24 10.20.30.61', 'no ip route 10.10.30.0/24 192.168.10.64 tag 4242', 'ip route 10.10.30.0/24 10.20.30.62 tag 4242');
  const { code, report } = await apply();
  t.is(code, 0);
  t.deepEqual(host(report, 'mls').live, ['route 10.10.30.0/24 via 192.168.10.64 (kubminion3), was via 10.20.30.62']);
  t.deepEqual(await mlsRoutes(), ['10.10.10.0/24 via 10.20.30.62', '10.10.20.0/24 via 10.20.30.63', '10.10.30.0/24 via 192.168.10.64', '172.31.0.0/24 via 10.20.30.61']);
  await conf('no ip route 172.31.0.0/24 10.20.30.61');
});

test.serial('a host whose sshd is stopped fails alone and is named; once it is back, a re-run converges', async (t) => {
  await inHost('kubmasta', 'rm', '-f', '/etc/systemd/system/etcd.service');
  await inHost('kubminion3', 'systemctl', 'stop', 'ssh');
  try {
    const { code, report, stderr } = await apply();
    t.is(code, 1, stderr);
    t.is(report.totals.failed, 1);
    t.like(host(report, 'kubminion3'), { status: 'failed', error: { kind: 'connect' } });
    t.regex(host(report, 'kubminion3').error!.message, /kubminion3|192\.168\.10\.64/);
    t.deepEqual(host(report, 'kubmasta').created, ['/etc/systemd/system/etcd.service'], 'the others finished');

    const human = await cli(['apply', tl.file, '--emulated'], tl.env);
    t.is(human.code, 1);
    t.regex(human.stdout, /kubminion3\s+failed\s+-\s+-\s+-\s+connect: /);
  } finally {
    // Later tests need the host back, whatever happened above.
    await inHost('kubminion3', 'systemctl', 'start', 'ssh');
  }
  const again = await apply();
  t.is(again.code, 0);
  t.is(again.report.totals.failed, 0);
});

test.serial('an apply killed mid-upload leaves no half-written file; the next apply converges', async (t) => {
  const versions = [original.replace(/podCidr: 10\.10\.(\d+)\.0\/24/g, 'podCidr: 10.11.$1.0/24'), original];
  const contents = new Map<string, Set<string>>();
  for (const text of versions) {
    await writeFile(tl.file, text);
    const { lab } = await readLab(tl.file);
    for (const r of renderLab({ ...lab, router: { ...lab.router, platform: 'frr' } })) {
      for (const f of r.files) {
        const key = `${r.host}\t${f.path}`;
        contents.set(key, new Set([...(contents.get(key) ?? []), sha256(f.content)]));
      }
    }
  }
  const byHost = new Map<string, string[]>();
  for (const key of contents.keys()) {
    const [h, p] = key.split('\t') as [string, string];
    byHost.set(h, [...(byHost.get(h) ?? []), p]);
  }
  // What the hosts hold now is the third allowed version of each file.
  for (const [h, files] of await remoteHashes(byHost)) for (const [p, sum] of files) contents.get(`${h}\t${p}`)!.add(sum);
  let kills = 0;
  for (const [i, delay] of [120, 200, 280, 360, 440, 520].entries()) {
    await writeFile(tl.file, versions[i % 2]!);
    const child = spawn(process.execPath, [CLI, 'apply', tl.file, '--emulated'], { env: tl.env, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, delay));
    if (child.kill('SIGKILL')) kills++;
    await new Promise((r) => child.once('exit', r));
    const hashes = await remoteHashes(byHost);
    for (const [h, files] of hashes) {
      for (const [p, sum] of files) t.true(contents.get(`${h}\t${p}`)!.has(sum), `after a kill at ${delay} ms, ${h}:${p} is one of the two versions`);
    }
  }
  t.true(kills >= 3, 'apply was killed while running');
  await writeFile(tl.file, original);
  const { code, report } = await apply();
  t.is(code, 0);
  t.is(report.totals.failed, 0);
  const leftovers = await Promise.all([...byHost.keys()].map((h) => inHost(h, 'sh', '-c', 'find /etc -name ".*.labsmith-tmp-*"')));
  t.deepEqual(leftovers.map((l) => l.stdout.trim()).filter(Boolean), [], 'no temporary file is left');
  const again = await apply();
  t.is(again.report.totals.changed, 0);
});

test.serial('a changed host key is refused before authentication, with both fingerprints', async (t) => {
  await inHost('kubmasta', 'sh', '-c', 'rm -f /etc/ssh/ssh_host_ed25519_key* && ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key && systemctl stop ssh && : > /var/log/sshd.log && systemctl start ssh');
  const { code, report } = await apply();
  t.is(code, 1);
  const m = host(report, 'kubmasta');
  t.like(m, { status: 'failed', error: { kind: 'hostkey' } });
  t.is((m.error!.message.match(/SHA256:[A-Za-z0-9+/]{43}/g) ?? []).length >= 2, true, m.error!.message);
  t.is(report.totals.failed, 1, 'only that host');
  const log = await inHost('kubmasta', 'cat', '/var/log/sshd.log');
  t.notRegex(log.stdout, /Accepted|Failed publickey|userauth/i, 'the client never tried to authenticate');
  const accepted = await apply('--accept-new-host-key', 'kubmasta');
  t.is(accepted.code, 0, accepted.stderr);
  t.regex(accepted.stderr, /replaced host key/);
});
