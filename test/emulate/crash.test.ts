// End to end, as root: an up killed halfway is undone by down; two labs with identical
// addresses run side by side without touching each other.
import test from 'ava';
import { spawn } from 'node:child_process';
import { emulateDown } from '../../src/emulate/down.js';
import { labPaths } from '../../src/emulate/paths.js';
import { readState } from '../../src/emulate/state.js';
import { emulateStatus } from '../../src/emulate/status.js';
import { emulatedTargets } from '../../src/emulate/targets.js';
import { emulateUp } from '../../src/emulate/up.js';
import { CLI } from '../helpers/paths.js';
import { assertNothingRemains, cli, disposeLab, makeLab, requireEmulation, sshRun, type TestLab } from './helpers.js';

const made: TestLab[] = [];

test.before(() => {
  requireEmulation();
});

test.after.always(async () => {
  for (const tl of made) await disposeLab(tl);
});

test.serial('down undoes an up that was killed after its first host booted', async (t) => {
  const tl = await makeLab('kubernetes-101', 'killed');
  made.push(tl);
  const child = spawn(process.execPath, [CLI, 'emulate', 'up', '--concurrency', '1', tl.file], { env: tl.env, stdio: 'ignore' });
  const paths = labPaths(tl.name, tl.env);
  const deadline = Date.now() + 20_000;
  let started: number[] = [];
  for (;;) {
    const s = await readState(paths.state);
    if (s && s.hosts.some((h) => h.bootedAt)) {
      child.kill('SIGKILL');
      started = s.hosts.flatMap((h) => (h.initPid ? [h.initPid] : []));
      break;
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      t.fail('up finished or never started a host before it could be killed');
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => child.once('exit', r));
  const half = await emulateStatus(tl.name, tl.env);
  t.is(half.status, 'partial', 'the killed up left a partial lab');
  t.true(half.hosts.some((h) => h.health === 'ok'), 'at least one host was running');
  t.true(half.hosts.some((h) => h.health === 'down'), 'at least one host never started');
  await t.throwsAsync(emulatedTargets(tl.lab, tl.env), { message: /not up/ });

  const r = await cli(['emulate', 'down', tl.file], tl.env);
  t.is(r.code, 0, r.stderr);
  await assertNothingRemains(t, tl, started);
});

test.serial('an up after a killed one cleans up first and then builds the lab', async (t) => {
  const tl = await makeLab('kubernetes-101', 'reup');
  made.push(tl);
  const child = spawn(process.execPath, [CLI, 'emulate', 'up', '--concurrency', '1', tl.file], { env: tl.env, stdio: 'ignore' });
  const paths = labPaths(tl.name, tl.env);
  for (let i = 0; i < 4000; i++) {
    const s = await readState(paths.state);
    if (s && s.hosts.some((h) => h.holderPid)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const up = await emulateUp(tl.lab, { env: tl.env });
  t.false(up.already);
  t.true(up.cleaned);
  t.is((await emulateStatus(tl.name, tl.env)).status, 'up');
  await emulateDown(tl.name, { env: tl.env });
  await assertNothingRemains(t, tl);
});

test.serial('two labs with identical addresses are up at once without touching each other', async (t) => {
  const [a, b] = await Promise.all([makeLab('kubernetes-101', 'twin-a'), makeLab('kubernetes-101', 'twin-b')]);
  made.push(a!, b!);
  const ups = await Promise.all([emulateUp(a!.lab, { env: a!.env }), emulateUp(b!.lab, { env: b!.env })]);
  t.false(ups[0]!.already || ups[1]!.already);
  const [ta, tb] = await Promise.all([emulatedTargets(a!.lab, a!.env), emulatedTargets(b!.lab, b!.env)]);
  const mA = ta.find((x) => x.host === 'kubmasta')!;
  const mB = tb.find((x) => x.host === 'kubmasta')!;
  t.is(mA.address, mB.address);
  t.not(mA.proxyCommand.join(' '), mB.proxyCommand.join(' '));
  // Same address, different hosts: a file written through lab A is not seen through lab B.
  t.is(sshRun(mA, `echo A > /etc/twin && cat /etc/twin`).stdout, 'A\n');
  t.is(sshRun(mB, `cat /etc/twin 2>/dev/null || echo none`).stdout, 'none\n');
  // B's key does not open A's hosts; A's known_hosts rejects B's host key.
  t.not(sshRun({ ...mA, privateKeyPath: mB.privateKeyPath }, 'true').code, 0);
  t.not(sshRun({ ...mB, knownHostsPath: mA.knownHostsPath }, 'true').code, 0);

  await emulateDown(a!.name, { env: a!.env });
  await assertNothingRemains(t, a!);
  t.is((await emulateStatus(b!.name, b!.env)).status, 'up', 'lab B survives lab A going down');
  const ping = await cli(['emulate', 'exec', b!.file, 'kubmasta', '--', 'ping', '-c', '1', '-W', '2', '192.168.10.64'], b!.env);
  t.is(ping.code, 0, ping.stderr);
  await emulateDown(b!.name, { env: b!.env });
  await assertNothingRemains(t, b!);
});
