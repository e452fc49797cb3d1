// The same input as two of kubernetes' own v1.28 tests must give the same rules, chain by
// chain, in both forms: what kube-proxy hands to iptables-restore, and what iptables-save
// then shows.
import test from 'ava';
import { builtinRules, formatRestore, formatSave, proxyProgram, saveRuleText } from '../../src/proxy/index.js';
import { parseDump, sortLikeKubernetes, type Dump } from './dump.js';
import { readFixture } from './kube-fixtures.js';

function sameChains(t: import('ava').ExecutionContext, actual: Dump, expected: Dump, userChainsOnly: boolean): void {
  t.deepEqual([...actual.tables.keys()], [...expected.tables.keys()], 'tables');
  for (const [table, exp] of expected.tables) {
    const act = actual.tables.get(table)!;
    t.deepEqual([...act.chains].sort(), [...exp.chains].sort(), `${table}: the same chains`);
    for (const chain of exp.chains) {
      if (userChainsOnly && !chain.startsWith('KUBE-')) continue;
      t.deepEqual(act.rules.get(chain), exp.rules.get(chain), `${table} ${chain}`);
    }
  }
}

for (const name of ['overall-v1.28', 'unnamed-3ep-v1.28']) {
  test(`${name}: the restore form has kube-proxy's rules, chain by chain`, (t) => {
    const f = readFixture(name);
    const program = proxyProgram(f.input);
    const actual = sortLikeKubernetes(parseDump(formatRestore(program.iptables, [])));
    sameChains(t, actual, sortLikeKubernetes(parseDump(f.restore)), false);
  });

  test(`${name}: the save form has iptables-save's rules, chain by chain, and the jumps beside them`, (t) => {
    const f = readFixture(name);
    const program = proxyProgram(f.input);
    const actual = parseDump(formatSave(program.iptables, []));
    sameChains(t, actual, parseDump(f.save), true);
    // The built-in chains hold kube-proxy's jumps, which the test does not show: nat's are
    // the three input.txt lists; filter's all lead to kube-proxy's own chains.
    const nat = [...builtinRules(program.iptables.jumps).entries()].filter(([k]) => k.startsWith('nat/')).flatMap(([, rules]) => rules.map(saveRuleText));
    // unnamed-3ep's input.txt says "fake proxier as in overall-v1.28" and lists no jumps itself.
    const listed = f.natJumps.length ? f.natJumps : readFixture('overall-v1.28').natJumps;
    t.deepEqual([...nat].sort(), [...listed].sort());
    for (const [key, rules] of builtinRules(program.iptables.jumps)) {
      if (key.startsWith('filter/')) for (const r of rules) t.regex(saveRuleText(r), /-j KUBE-[A-Z-]+$/);
    }
  });
}

test('the fixtures are read as the services they describe', (t) => {
  const f = readFixture('overall-v1.28');
  const svc2 = f.input.services.find((s) => s.name === 'svc2')!;
  t.like(svc2, { type: 'LoadBalancer', clusterIP: '172.30.0.42', nodePort: 3001, externalTrafficPolicy: 'Local', healthCheckNodePort: 30000, externalIPs: ['192.168.99.22'], loadBalancerIPs: ['1.2.3.4'] });
  t.deepEqual(f.input.services.find((s) => s.name === 'svc5')!.loadBalancerSourceRanges, ['203.0.113.0/25']);
  t.is(f.input.services.find((s) => s.name === 'svc5')!.healthCheckNodePort, undefined);
  t.deepEqual(f.input.services.find((s) => s.name === 'svc4')!.endpoints.map((e) => e.local), [true, true]);
  t.is(f.input.services.find((s) => s.name === 'svc6')!.endpoints.length, 0);
  t.is(f.natJumps.length, 3);
  const u = readFixture('unnamed-3ep-v1.28');
  t.deepEqual(u.input.services.map((s) => [s.portName, s.endpoints.length]), [['', 3]]);
});
