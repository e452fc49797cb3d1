// The validate command as a user runs it: exit codes, stderr format, no stack traces.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { edit, K101 } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const run = (args: string[]) => runCli(args);

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
  t.regex(r.stdout, /kubernetes-101\.lab\.yaml: valid \(4 nodes, 2 segments, 3 MLS routes, 1 service, 7 pods\)\n$/);
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

test('a long list of errors is cut at 20, saying how many more; the count is of all', async (t) => {
  // 30 nodes with names no host can have: 30 errors, and the file is still a lab.
  const nodes = Array.from({ length: 30 }, (_, i) => `  - { name: Node_${i}, role: minion, address: 10.20.30.${100 + i}, podCidr: 10.10.${100 + i}.0/24 }\n`).join('');
  const file = await writeLab(edit(K101, 'nodes:\n', `nodes:\n${nodes}`));
  const r = await run(['validate', file]);
  t.is(r.code, 2);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 22);
  t.true(lines.slice(0, 20).every((l) => l.startsWith(`${file}:`) && l.includes(': must be a DNS label')), r.stderr);
  t.is(lines[20], '... and 10 more errors');
  t.is(lines[21], '30 errors');
  t.notRegex(r.stderr, /does not look like/);
  // --json keeps every error.
  t.is(JSON.parse((await run(['validate', '--json', file])).stdout).errors.length, 30);
});

test('a YAML file that is no lab says so on its first line, then the capped list', async (t) => {
  // A Helm values file: every top-level key unknown.
  const values = Array.from({ length: 40 }, (_, i) => `setting${i}: ${i}\n`).join('');
  const file = await writeLab(values);
  const r = await run(['validate', file]);
  t.is(r.code, 2);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines[0], `${file}:1:1: error: this does not look like a labsmith lab file: expected keys name, kubernetes, segments, router, nodes; start from lab/kubernetes-101.lab.yaml`);
  t.is(lines.length, 22);
  t.is(lines[20], '... and 21 more errors');
  t.is(lines[21], '41 errors');
  const compose = await writeLab('services:\n  web:\n    image: nginx:1.25\n    ports: ["80:80"]\nnetworks:\n  default: {}\n');
  const c = await run(['validate', compose]);
  t.is(c.stderr.split('\n')[0], `${compose}:1:1: error: this does not look like a labsmith lab file: expected keys name, kubernetes, segments, router, nodes; start from lab/kubernetes-101.lab.yaml`);
  t.regex(c.stderr, /\n3 errors\n$/);
});

test('other commands report a bad lab file with the same cap', async (t) => {
  const values = Array.from({ length: 40 }, (_, i) => `setting${i}: ${i}\n`).join('');
  const r = await run(['routes', await writeLab(values)]);
  t.is(r.code, 2);
  t.regex(r.stderr, /\n\.\.\. and 21 more errors\n41 errors\n$/);
});

