// Everything rendered for every example lab equals test/golden/, byte for byte, and nothing
// there is stale. After an intended change: npm run golden, then review git diff test/golden.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR, goldenOnDisk, goldenTree } from '../helpers/golden.js';

const HINT = 'if the change is intended, run `npm run golden` and review `git diff test/golden`';

test('every rendered file matches its golden copy byte for byte', (t) => {
  const tree = goldenTree();
  t.true(tree.size > 0);
  for (const [rel, content] of tree) {
    let golden: string;
    try {
      golden = readFileSync(path.join(GOLDEN_DIR, ...rel.split('/')), 'utf8');
    } catch {
      t.fail(`test/golden/${rel} is missing; ${HINT}`);
      continue;
    }
    t.is(content, golden, `test/golden/${rel} differs; ${HINT}`);
  }
});

test('test/golden holds nothing that is no longer rendered', (t) => {
  const expected = new Set(goldenTree().keys());
  const stale = goldenOnDisk().filter((rel) => !expected.has(rel));
  t.deepEqual(stale, [], `stale golden files; ${HINT}`);
});

test('the golden set covers every example lab, every platform of kubernetes-101, all three roles, and each lab\'s manifests', (t) => {
  const rels = [...goldenTree().keys()];
  for (const lab of ['kubernetes-101', 'service-routes', 'nodeport']) t.true(rels.some((r) => r.startsWith(`${lab}/`)), lab);
  for (const p of ['ios', 'nxos', 'eos', 'junos', 'frr', 'vyos', 'linux', 'routeros']) t.true(rels.includes(`kubernetes-101/routes/${p}.txt`), p);
  t.true(rels.includes('kubernetes-101/mls/flash/labsmith-routes.cfg'));
  t.true(rels.includes('service-routes/mls/etc/frr/labsmith-routes.conf'));
  t.true(rels.includes('nodeport/core/etc/labsmith/routes.sh'));
  // kube-proxy's rules per minion: the save form as rendered, the restore form beside it.
  t.true(rels.includes('kubernetes-101/kubminion1/etc/labsmith/kube-proxy.rules'));
  t.true(rels.includes('service-routes/proxy/node-1.restore.txt'));
  t.false(rels.some((r) => r.startsWith('kubernetes-101/kubmasta/etc/labsmith/kube-proxy.rules')), 'masters run no kube-proxy');
  t.true(rels.includes('kubernetes-101/manifests/2-replicationcontroller-web-controller-2.json'));
  t.true(rels.includes('nodeport/manifests/2-deployment-nginx-deployment.yaml'));
  t.true(rels.includes('service-routes/manifests/1-service-db-service.yaml'));
});

test('rendering is deterministic: two renders give the same bytes', (t) => {
  t.deepEqual([...goldenTree()], [...goldenTree()]);
});
