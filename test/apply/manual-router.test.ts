// A switch labsmith cannot push (IOS here) is written out to be pasted; and host selection.
// No host is contacted: --only names just the switch.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labHosts } from '../../src/hosts/lab-hosts.js';
import { readLab } from '../../src/lab/read.js';
import { renderRoutes } from '../../src/render/index.js';
import { cli } from '../emulate/helpers.js';
import { exampleLab } from '../helpers/paths.js';

let dir: string;
let file: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'labsmith-manual-'));
  file = path.join(dir, 'kubernetes-101.lab.yaml');
  await copyFile(exampleLab('kubernetes-101'), file);
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test.serial('plan names the file apply will write for an IOS switch, and writes nothing', async (t) => {
  const r = await cli(['plan', file, '--only', 'mls'], process.env);
  t.is(r.code, 0, r.stderr);
  const out = path.join(dir, '.labsmith/kubernetes-101/out/mls/flash/labsmith-routes.cfg');
  t.true(r.stdout.includes(`mls: apply writes ${out}, to be pasted by hand`));
  t.false(existsSync(out));
});

test.serial('apply writes the IOS routes beside the lab and says they must be pasted', async (t) => {
  const r = await cli(['apply', file, '--only', 'mls', '--json'], process.env);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.is(doc.hosts.length, 1);
  t.like(doc.hosts[0], { host: 'mls', status: 'manual' });
  t.regex(doc.hosts[0].manual.note, /cannot push to a ios switch: paste .*labsmith-routes\.cfg into mls's configuration/);
  const { lab } = await readLab(file);
  t.is(readFileSync(doc.hosts[0].manual.path, 'utf8'), renderRoutes(lab));
});

test('--only with a host the lab does not have is bad input', async (t) => {
  const r = await cli(['apply', file, '--only', 'kubminion9'], process.env);
  t.is(r.code, 2);
  t.regex(r.stderr, /--only names kubminion9, not a host of lab kubernetes-101/);
  t.is((await cli(['apply', file, '--concurrency', '0'], process.env)).code, 2);
});

test('a physical lab is reached at its own addresses with its ssh settings, known_hosts beside the file', async (t) => {
  const { lab } = await readLab(file);
  const targets = await labHosts(lab, { emulated: false, router: false });
  t.deepEqual(targets.map((x) => `${x.host} ${x.user}@${x.address}:${x.port}`), ['kubmasta root@10.20.30.61:22', 'kubminion1 root@10.20.30.62:22', 'kubminion2 root@10.20.30.63:22', 'kubminion3 root@192.168.10.64:22']);
  t.is(targets[0]!.knownHostsPath, path.join(dir, '.labsmith/kubernetes-101/known_hosts'));
  t.is(targets[0]!.proxyCommand, undefined);
});

test.serial('a Junos switch: apply says to load set the file and commit it', async (t) => {
  const junos = path.join(dir, 'junos.lab.yaml');
  await writeFile(junos, readFileSync(file, 'utf8').replace('platform: ios', 'platform: junos'));
  const r = await cli(['apply', junos, '--only', 'mls', '--json'], process.env);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.regex(doc.hosts[0].manual.note, /cannot push to a junos switch: copy .*labsmith-routes\.set to mls, then in configuration mode: load set labsmith-routes\.set, and commit/);
});
