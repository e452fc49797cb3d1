// The validate command as a user runs it: exit codes, stderr format, no stack traces.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { edit, K101 } from '../helpers/lab-text.js';
import { CLI, exampleLab } from '../helpers/paths.js';

const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const dirs: string[] = [];
test.after.always(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const writeLab = async (text: string) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-validate-'));
  dirs.push(dir);
  const file = path.join(dir, 'bad.lab.yaml');
  await writeFile(file, text);
  return file;
};

test('a valid lab exits 0 and says so', async (t) => {
  const r = await run(['validate', exampleLab('kubernetes-101')]);
  t.is(r.code, 0);
  t.regex(r.stdout, /kubernetes-101\.lab\.yaml: valid \(4 nodes, 2 segments, 3 MLS routes/);
});

test('an invalid lab exits 2 with FILE:LINE:COL errors and no stack trace', async (t) => {
  const file = await writeLab(edit(K101, 'podCidr: 10.10.20.0/24', 'podCdir: 10.10.20.0/24'));
  const r = await run(['validate', file]);
  t.is(r.code, 2);
  t.is(r.stderr, `${file}:23:61: error: nodes[2].podCdir: unknown key; did you mean podCidr?\n1 error\n`);
  t.notRegex(r.stderr, /at .*\.js:\d+/);
});

test('--json gives one document, also for an invalid lab', async (t) => {
  const file = await writeLab(edit(K101, 'targetPort: 8080', 'targetPort: 9090'));
  const ok = await run(['validate', '--json', file]);
  t.is(ok.code, 0);
  const doc = JSON.parse(ok.stdout);
  t.like(doc, { valid: true, errors: [], summary: { nodes: 4 } });
  t.is(doc.warnings[0].field, 'services[0].targetPort');
  const badFile = await writeLab('name: x\n');
  const bad = await run(['validate', '--json', badFile]);
  t.is(bad.code, 2);
  t.like(JSON.parse(bad.stdout), { valid: false });
});

test('a missing file and a usage error exit 2', async (t) => {
  const r = await run(['validate', '/nonexistent/lab.yaml']);
  t.is(r.code, 2);
  t.is(r.stderr, '/nonexistent/lab.yaml:1:1: error: cannot read the lab file: no such file\n1 error\n');
  t.is((await run(['validate'])).code, 2);
  t.is((await run(['frobnicate'])).code, 2);
  t.is((await run(['--help'])).code, 0);
});
