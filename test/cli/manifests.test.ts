// `labsmith manifests` as a user runs it: the default directory, the listing, --json, the
// output directory checked before any work, files of an earlier run named, bad input exit 2.
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GOLDEN_DIR } from '../helpers/golden.js';
import { edit, K101 } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const run = (args: string[], cwd?: string) => runCli(args, cwd ? { cwd } : {});

const scratch = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-manifests-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

test('manifests LAB writes out/<lab>/manifests and lists each object; the files are the golden ones', async (t) => {
  const cwd = await scratch(t);
  const r = await run(['manifests', exampleLab('kubernetes-101')], cwd);
  t.is(r.code, 0, r.stderr);
  t.is(
    r.stdout,
    'out/kubernetes-101/manifests: 2 objects of lab kubernetes-101 (v1beta1, as in 2015)\n' +
      'FILE                                           KIND                   API      NAME\n' +
      '1-service-webfrontend.json                     Service                v1beta1  webfrontend\n' +
      '2-replicationcontroller-web-controller-2.json  ReplicationController  v1beta1  web-controller-2\n',
  );
  const dir = path.join(cwd, 'out/kubernetes-101/manifests');
  const files = (await readdir(dir)).sort();
  t.deepEqual(files, ['1-service-webfrontend.json', '2-replicationcontroller-web-controller-2.json']);
  for (const f of files) t.is(await readFile(path.join(dir, f), 'utf8'), await readFile(path.join(GOLDEN_DIR, 'kubernetes-101/manifests', f), 'utf8'), f);
});

test('manifests -o DIR --json: one document naming each file, its kind, API version and checksum', async (t) => {
  const dir = path.join(await scratch(t), 'm');
  const r = await run(['manifests', exampleLab('nodeport'), '-o', dir, '--json']);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.is(doc.lab, 'nodeport');
  t.is(doc.dialect, 'modern');
  t.is(doc.dir, dir);
  t.deepEqual(doc.stale, []);
  t.deepEqual(doc.files.map((f: { file: string; kind: string; apiVersion: string }) => [f.file, f.kind, f.apiVersion]), [
    ['1-service-nginx-svc.yaml', 'Service', 'v1'],
    ['2-deployment-nginx-deployment.yaml', 'Deployment', 'apps/v1'],
  ]);
  for (const f of doc.files) t.regex(f.sha256, /^[0-9a-f]{64}$/);
});

test('manifests -o naming a file: exit 2 before the lab is read, naming the path', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'f');
  await writeFile(file, 'x');
  const r = await run(['manifests', path.join(dir, 'no-such.lab.yaml'), '-o', file]);
  t.is(r.code, 2);
  t.regex(r.stderr, new RegExp(`labsmith: -o ${file}: is not a directory`));
  t.notRegex(r.stderr, /no-such|internal error|\n\s+at /);
});

test('a file an earlier run wrote for an object the lab no longer has is named on stderr, and left in place', async (t) => {
  const dir = await scratch(t);
  await writeFile(path.join(dir, '2-deployment-old-web.yaml'), 'x');
  await writeFile(path.join(dir, 'notes.txt'), 'mine');
  const r = await run(['manifests', exampleLab('nodeport'), '-o', dir]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, `labsmith: ${path.join(dir, '2-deployment-old-web.yaml')} is from an earlier run and no longer in the lab; remove it before \`kubectl create -f ${dir}\`\n`);
  t.deepEqual((await readdir(dir)).sort(), ['1-service-nginx-svc.yaml', '2-deployment-nginx-deployment.yaml', '2-deployment-old-web.yaml', 'notes.txt']);
});

test('a legacy lab with a NodePort service: exit 2, naming the service and the fix, nothing written', async (t) => {
  const dir = await scratch(t);
  const lab = path.join(dir, 'lab.yaml');
  await writeFile(lab, edit(K101, 'type: ClusterIP', 'type: NodePort'));
  const r = await run(['manifests', lab, '-o', path.join(dir, 'out')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /services\[0\] \(webfrontend\) is a NodePort service, which the v1beta1 API of a legacy lab cannot express/);
  t.regex(r.stderr, /use type: ClusterIP in a legacy lab/);
  t.notRegex(r.stderr, /internal error|\n\s+at /);
  t.deepEqual((await readdir(dir)).sort(), ['lab.yaml']);
});
