// `labsmith proxy` as a user runs it.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { exampleLab, ROOT } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const run = (args: string[]) => runCli(args);

test('prints the save form by default: what the rendered reference file holds', async (t) => {
  const r = await run(['proxy', exampleLab('kubernetes-101'), '--node', 'kubminion1']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, readFileSync(`${ROOT}/test/golden/kubernetes-101/kubminion1/etc/labsmith/kube-proxy.rules`, 'utf8'));
  t.regex(r.stdout, /-A KUBE-PORTALS-CONTAINER -d 10\.100\.87\.105\/32 -p tcp -m comment --comment "default\/webfrontend:" -m tcp --dport 80 -j REDIRECT --to-ports \d+/);
  t.regex(r.stdout, /-j DNAT --to-destination 10\.20\.30\.62:\d+/);
});

test('--form restore prints what kube-proxy hands to iptables-restore, jumps as comments', async (t) => {
  const r = await run(['proxy', exampleLab('service-routes'), '--node', 'node-1', '--form', 'restore']);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.includes('-A KUBE-SERVICES -m comment --comment "default/db-service: cluster IP" -m tcp -p tcp -d 10.103.132.104/32 --dport 3306 -j KUBE-SVC-TCHUXVZWN7RJIZ2A'));
  t.true(r.stdout.includes('#   iptables -t nat -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'));
});

test('--json gives one document with the chains, the jump commands and both forms', async (t) => {
  const r = await run(['proxy', exampleLab('nodeport'), '--node', 'node-2', '--json']);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { node: string; mode: string; iptables: { tables: { table: string; chains: string[] }[]; jumps: { command: string }[] }; save: string; restore: string };
  t.like(doc, { node: 'node-2', mode: 'iptables' });
  t.true(doc.iptables.tables.find((x) => x.table === 'nat')!.chains.includes('KUBE-EXT-HL5LMXD5JFHQZ6LN'));
  t.true(doc.iptables.jumps.some((j) => j.command === 'iptables -t nat -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'));
  t.true(doc.save.includes('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/nginx-svc" -m tcp --dport 30080 -j KUBE-EXT-HL5LMXD5JFHQZ6LN'));
  t.true(doc.restore.includes('*nat'));
});

test('an unknown node exits 2 naming the nodes; a master exits 2 saying it runs no kube-proxy', async (t) => {
  const unknown = await run(['proxy', exampleLab('kubernetes-101'), '--node', 'kubminion9']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no node kubminion9 in lab kubernetes-101; its nodes are kubmasta, kubminion1, kubminion2, kubminion3/);
  t.notRegex(unknown.stderr, /\n\s+at /);
  const master = await run(['proxy', exampleLab('kubernetes-101'), '--node', 'kubmasta']);
  t.is(master.code, 2);
  t.regex(master.stderr, /kubmasta is a master: this lab runs kube-proxy only on its minions \(kubminion1, kubminion2, kubminion3\)/);
});

test('a bad form or a missing --node is a usage error (exit 2)', async (t) => {
  const form = await run(['proxy', exampleLab('nodeport'), '--node', 'node-1', '--form', 'xml']);
  t.is(form.code, 2);
  t.regex(form.stderr, /unknown form "xml"/);
  t.is((await run(['proxy', exampleLab('nodeport')])).code, 2);
});
