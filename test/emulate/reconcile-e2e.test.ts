// End to end, as root: `labsmith up` after editing the lab file reconciles the running lab
// (hosts and segments added and removed, a node re-addressed), leaves the rest running, and
// apply and verify then pass at the first run. Another file of the same lab name is refused.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labPaths } from '../../src/emulate/paths.js';
import { readState } from '../../src/emulate/state.js';
import { netnsInode } from '../../src/emulate/proc.js';
import { assertNothingRemains, cli, disposeLab, makeLab, requireEmulation, type TestLab } from './helpers.js';

let tl: TestLab;

test.before(async () => {
  requireEmulation();
  tl = await makeLab('kubernetes-101', 'recon');
});

test.after.always(async () => {
  await disposeLab(tl);
});

const edit = async (f: (s: string) => string) => writeFile(tl.file, f(await readFile(tl.file, 'utf8')));
const pids = async () => new Map((await readState(labPaths(tl.name, tl.env).state))!.hosts.map((h) => [h.name, h.initPid]));
const addNode = (line: string) => (s: string) => s.replace(/^ssh:/m, `${line}\nssh:`);

async function upPasses(t: import('ava').ExecutionContext, what: string): Promise<string> {
  const r = await cli(['up', tl.file], tl.env);
  t.is(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  t.regex(r.stdout, /verify:[\s\S]*passed/, what);
  t.notRegex(r.stdout, /already up/, `${what}: the change was seen`);
  return r.stdout;
}

test.serial('up reconciles: add a node, remove a node, re-address a node, add a segment; apply and verify pass each time', async (t) => {
  const first = await cli(['up', tl.file], tl.env);
  t.is(first.code, 0, first.stdout + first.stderr);
  const before = await pids();

  await edit(addNode('  - { name: kubminion4, role: minion, address: 192.168.10.65, podCidr: 10.10.40.0/24 }'));
  let out = await upPasses(t, 'add a node');
  t.regex(out, /reconciled with .* \(1 change; the rest kept running\):\n {2}\+ host kubminion4 \(node, 192\.168\.10\.65\)/);
  let now = await pids();
  for (const h of ['mls', 'kubmasta', 'kubminion1', 'kubminion2', 'kubminion3', 'outside']) t.is(now.get(h), before.get(h), `${h} kept running`);

  await edit((s) => s.replace(/^ {2}- \{ name: kubminion2,.*\n/m, ''));
  out = await upPasses(t, 'remove a node');
  t.regex(out, /- host kubminion2 \(node, 10\.20\.30\.63\)/);
  t.is(netnsInode(`lsm-${tl.name}.kubminion2`), undefined, 'its namespace is gone');
  t.is((await pids()).get('kubmasta'), before.get('kubmasta'));

  await edit((s) => s.replace('address: 10.20.30.62,', 'address: 10.20.30.70,'));
  out = await upPasses(t, 're-address a node');
  t.regex(out, /kubminion1: ~ eth0 10\.20\.30\.62\/24 \(lab-a\) -> 10\.20\.30\.70\/24 \(lab-a\)/);
  t.is((await pids()).get('kubminion1'), before.get('kubminion1'), 'kubminion1 was re-addressed in place');

  await edit((s) =>
    addNode('  - { name: kubminion5, role: minion, address: 172.16.5.10, podCidr: 10.10.50.0/24 }')(
      s.replace(/^segments:\n/m, 'segments:\n  - { name: lab-c, cidr: 172.16.5.0/24, gateway: 172.16.5.1 }\n'),
    ),
  );
  out = await upPasses(t, 'add a segment');
  t.regex(out, /\+ segment lab-c 172\.16\.5\.0\/24/);
  t.regex(out, /mls: \+ eth3 172\.16\.5\.1\/24 \(lab-c\)/);
  t.regex(out, /\+ host kubminion5/);
  now = await pids();
  t.is(now.get('mls'), before.get('mls'), 'the MLS got its interface without a restart');

  const again = await cli(['emulate', 'up', tl.file], tl.env);
  t.regex(again.stdout, /already up as .* describes it; nothing to do/);
});

test.serial('a pod CIDR moved: up (apply moves docker0, verify re-addresses its probe pods) passes at the first verify', async (t) => {
  for (const [from, to] of [['10.10.30.0/24', '10.10.70.0/24'], ['10.10.70.0/24', '10.10.30.0/24']] as const) {
    await edit((s) => s.replace(`podCidr: ${from}`, `podCidr: ${to}`));
    const r = await cli(['up', tl.file], tl.env);
    t.is(r.code, 0, `${from} -> ${to}: ${r.stdout}\n${r.stderr}`);
    t.regex(r.stdout, /verify:[\s\S]*passed/);
  }
});

test.serial('up of another file with the same lab name is refused, naming both files', async (t) => {
  const other = path.join(tl.dir, 'copy', 'same-name.lab.yaml');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(other)));
  await writeFile(other, await readFile(tl.file, 'utf8'));
  const r = await cli(['emulate', 'up', other], tl.env);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.true(r.stderr.includes(tl.file) && r.stderr.includes(other), r.stderr);
  t.regex(r.stderr, /labsmith down/);
  const down = await cli(['down', tl.file], tl.env);
  t.is(down.code, 0, down.stderr);
  await assertNothingRemains(t, tl);
});
