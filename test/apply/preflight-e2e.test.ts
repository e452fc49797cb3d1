// preflight against the emulated lab, as a user runs it. The emulated hosts are Debian 12
// network namespaces without systemd while kubernetes-101 says centos7: both are reported as
// warnings ("emulated host"), never hidden. Its legacy lab has no binaries in /opt/kubernetes
// (the emulated lab runs no stand-ins for it): those are real failures, each with its fix.
import test from 'ava';
import { cli, disposeLab, makeLab, requireEmulation, type TestLab } from '../emulate/helpers.js';

let tl: TestLab;

test.before(async () => {
  requireEmulation();
  tl = await makeLab('kubernetes-101', 'preflight');
  const up = await cli(['up', tl.file], tl.env);
  if (up.code !== 0) throw new Error(`labsmith up failed: ${up.stderr}`);
});

test.after.always(async () => {
  await disposeLab(tl);
});

interface Row { host: string; check: string; status: string; detail: string; fix?: string }

test.serial('preflight --emulated: one command per node, the table, each fix, exit 1', async (t) => {
  const r = await cli(['preflight', tl.file, '--emulated', '--json'], tl.env);
  t.is(r.code, 1, r.stderr);
  const rep = JSON.parse(r.stdout) as { ok: boolean; checks: Row[]; totals: { hosts: number; fail: number; commands: number } };
  t.false(rep.ok);
  t.is(rep.totals.hosts, 4);
  t.is(rep.totals.commands, 4, 'one remote command per node');
  const of = (host: string, check: string) => rep.checks.find((c) => c.host === host && c.check === check);
  for (const n of ['kubmasta', 'kubminion1', 'kubminion2', 'kubminion3']) {
    t.like(of(n, 'os'), { status: 'warn', detail: 'emulated host is debian12, the lab says centos7: family not checked' });
    t.like(of(n, 'systemd'), { status: 'ok' }, 'the emulated hosts boot systemd');
    t.like(of(n, 'clock'), { status: 'ok' });
    t.like(of(n, 'swap'), { status: 'ok' });
  }
  t.like(of('kubminion1', 'docker0'), { status: 'ok', detail: tl.lab.nodes.find((n) => n.name === 'kubminion1')!.docker0!.gateway + '/24' });
  t.like(of('kubminion1', 'dockerd'), { status: 'ok' });
  t.regex(of('kubminion1', 'dockerd')!.detail, /^present: Docker version /);
  const fails = rep.checks.filter((c) => c.status === 'fail');
  t.true(fails.length > 0);
  t.true(fails.every((c) => /^\/opt\/kubernetes\/\S+ missing/.test(c.detail) && c.fix?.startsWith('install ')), JSON.stringify(fails));

  const text = await cli(['preflight', tl.file, '--emulated'], tl.env);
  t.is(text.code, 1);
  t.regex(text.stdout, /^HOST +CHECK +STATUS +DETAIL$/m);
  t.regex(text.stdout, /^to fix:$/m);
  t.regex(text.stdout, /^ {2}kubmasta kube-apiserver: install kube-apiserver at \/opt\/kubernetes\/kube-apiserver on kubmasta$/m);
  t.regex(text.stdout, /preflight \S+ \(emulated\): 4 hosts, \d+ ok, 4 warnings, \d+ failures/);
});

test.serial('apply --preflight applies nothing when preflight fails', async (t) => {
  const r = await cli(['apply', tl.file, '--emulated', '--preflight'], tl.env);
  t.is(r.code, 1);
  t.is(r.stdout, '', 'no apply report: nothing was applied');
  t.regex(r.stderr, /^to fix:$/m);
  t.regex(r.stderr, /apply: nothing applied; fix the failures above, or apply without --preflight/);
});
