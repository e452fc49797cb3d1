// The 1.x manifests read by a real kubectl, offline. `kubectl create/apply --dry-run=client`
// ask the server's discovery for each kind's REST mapping, so they cannot run without a
// cluster. `kubectl set env --local` (Deployments, ReplicationControllers) and `kubectl set
// selector --local` (Services) decode the file into kubectl's own typed objects and print them
// back, contacting nothing; every field labsmith wrote must come back unchanged, so an unknown
// field (dropped by the typed decoder), a wrong type or an apiVersion kubectl's scheme does not
// know fails. The kubeconfig points at 127.0.0.1:1 in case anything tried to connect.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { readLabText } from '../../src/lab/read.js';
import { labManifests, type ManifestFile } from '../../src/manifests/index.js';
import { exampleLabs } from '../helpers/golden.js';
import { runTool, type ToolResult } from '../helpers/tools.js';
import { atRelease, LONG_FORMS } from './labs.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "http://127.0.0.1:1" } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
users: [{ name: none, user: {} }]
`;

async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-manifests-kubectl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'kubeconfig'), KUBECONFIG);
  return dir;
}

/** kubectl's typed reading of one manifest file, printed back as JSON. */
function kubectlRead(dir: string, file: string, object: Record<string, unknown>): ToolResult {
  const common = ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), '--local', '-f', file, '-o', 'json'];
  if (object['kind'] === 'Service') {
    const selector = Object.entries((object['spec'] as { selector: Record<string, string> }).selector).map(([k, v]) => `${k}=${v}`).join(',');
    return runTool('kubectl', ['set', 'selector', ...common, selector], 'kubernetes-client');
  }
  return runTool('kubectl', ['set', 'env', ...common, 'LABSMITH_READ=1'], 'kubernetes-client');
}

/** Where `wrote` is not contained in `read`, as a path; undefined when it is. */
function missing(wrote: unknown, read: unknown, at = ''): string | undefined {
  if (Array.isArray(wrote)) {
    if (!Array.isArray(read) || read.length < wrote.length) return at || '.';
    for (let i = 0; i < wrote.length; i++) {
      const m = missing(wrote[i], read[i], `${at}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (wrote !== null && typeof wrote === 'object') {
    if (read === null || typeof read !== 'object') return at || '.';
    for (const [k, v] of Object.entries(wrote)) {
      const m = missing(v, (read as Record<string, unknown>)[k], `${at}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return wrote === read ? undefined : at;
}

async function check(t: { teardown(fn: () => Promise<void>): void }, m: ManifestFile): Promise<string | undefined> {
  const dir = await scratch(t);
  const file = path.join(dir, m.file);
  await writeFile(file, m.content);
  const { parse } = await import('yaml');
  const wrote = parse(m.content) as Record<string, unknown>;
  const r = kubectlRead(dir, file, wrote);
  if (r.code !== 0) return `kubectl exit ${r.code}: ${r.stderr.trim()}`;
  const where = missing(wrote, JSON.parse(r.stdout));
  return where ? `kubectl did not read back ${where} (unknown field or wrong type)` : undefined;
}

for (const { name, lab } of exampleLabs().filter((l) => l.lab.kubernetes.dialect === 'modern')) {
  test(`kubectl reads every manifest of the 1.x example lab ${name} back unchanged`, async (t) => {
    const files = labManifests(lab);
    t.true(files.length >= 2);
    for (const m of files) t.is(await check(t, m), undefined, `${name}/${m.file}`);
  });
}

test('kubectl reads the workloads of older releases in their API groups (1.1 RC, 1.5 extensions, 1.7 apps/v1beta1, 1.8 apps/v1beta2)', async (t) => {
  for (const version of ['1.1', '1.5', '1.7', '1.8']) {
    const files = labManifests(readLabText('lab.yaml', atRelease(version)).lab);
    for (const m of files) t.is(await check(t, m), undefined, `${version}: ${m.file} (${m.apiVersion})`);
  }
});

test('the check fails on an unknown field, a wrong type and an unknown apiVersion', async (t) => {
  const lab = exampleLabs().find((l) => l.name === 'nodeport')!.lab;
  const d = labManifests(lab).find((m) => m.kind === 'Deployment')!;
  const o = (await import('yaml')).parse(d.content);
  const variant = (f: (x: typeof o) => void): ManifestFile => {
    const x = structuredClone(o);
    f(x);
    return { ...d, content: stringify(x) };
  };
  t.regex((await check(t, variant((x) => (x.spec.template.spec.containers[0].ports[0].bogus = 1))))!, /did not read back \.spec\.template\.spec\.containers\[0\]\.ports\[0\]\.bogus/);
  t.regex((await check(t, variant((x) => (x.spec.replicas = 'three'))))!, /kubectl exit 1: .*replicas/);
  t.regex((await check(t, variant((x) => (x.apiVersion = 'apps/v9'))))!, /kubectl exit 1: .*apps\/v9/);
  const s = labManifests(lab).find((m) => m.kind === 'Service')!;
  t.regex((await check(t, { ...s, content: s.content.replace('nodePort: 30080', 'nodePort: 30080\n      portal: 1') }))!, /did not read back .*portal/);
});

test('kubectl reads the long forms back unchanged (namespaces, two ports, LoadBalancer, two containers)', async (t) => {
  const files = labManifests(readLabText('long.lab.yaml', LONG_FORMS).lab);
  t.is(files.length, 2);
  for (const m of files) t.is(await check(t, m), undefined, m.file);
});
