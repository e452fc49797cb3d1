// What changes between releases, seen on one synthetic lab rendered for each.
import test from 'ava';
import { readLabText } from '../../src/lab/read.js';
import { formatProgram, labProxyProgram } from '../../src/proxy/index.js';
import { eraLab } from './era-labs.js';

function rules(version: string, mode: 'userspace' | 'iptables' | 'ipvs' = 'iptables', form: 'save' | 'restore' = 'save', os = 'debian12'): string {
  const e = eraLab(version, mode, os);
  const { lab } = readLabText(`${e.name}.lab.yaml`, e.text);
  return formatProgram(labProxyProgram(lab, 'node-1'), form, lab.name);
}

test('an unnamed port ends in ":" up to 1.18 and not from 1.19', (t) => {
  t.true(rules('1.17').includes('--comment "default/db-service: cluster IP"'));
  t.true(rules('1.19').includes('--comment "default/db-service cluster IP"'));
  t.false(rules('1.19').includes('default/db-service:'));
});

test('probabilities: %0.5f before 1.17, %0.10f from 1.17; iptables-save shows 11 digits either way', (t) => {
  t.true(rules('1.11', 'iptables', 'restore').includes('--probability 0.33333 '));
  t.true(rules('1.11').includes('--probability 0.33332999982 '));
  t.true(rules('1.17', 'iptables', 'restore').includes('--probability 0.3333333333 '));
  t.true(rules('1.17').includes('--probability 0.33333333349 '));
});

test('KUBE-XLB/KUBE-FW per LB address up to 1.23; KUBE-EXT from 1.24', (t) => {
  const old = rules('1.23');
  t.regex(old, /-A KUBE-SERVICES -d 198\.51\.100\.20\/32 .*-j KUBE-FW-/);
  t.regex(old, /-A KUBE-FW-\S+ .*-j KUBE-MARK-DROP/);
  t.regex(old, /:KUBE-MARK-DROP - /);
  t.notRegex(old, /KUBE-EXT-/);
  const now = rules('1.24');
  t.regex(now, /-A KUBE-SERVICES -d 198\.51\.100\.20\/32 .*"store\/shop loadbalancer IP".*-j KUBE-EXT-/);
  t.regex(now, /-A KUBE-EXT-\S+ -m comment --comment "masquerade traffic for store\/shop external destinations" -j KUBE-MARK-MASQ/);
  t.notRegex(now, /KUBE-FW-|KUBE-XLB-|KUBE-MARK-DROP/);
});

test('the masquerade jumps sit in KUBE-SERVICES and KUBE-NODEPORTS up to 1.20, in KUBE-SVC from 1.21', (t) => {
  t.regex(rules('1.19'), /-A KUBE-SERVICES ! -s 10\.244\.0\.0\/16 -d 10\.103\.132\.104\/32 .* -j KUBE-MARK-MASQ/);
  t.regex(rules('1.19'), /-A KUBE-NODEPORTS -p tcp -m comment --comment "default\/web:http" -m tcp --dport 30080 -j KUBE-MARK-MASQ/);
  t.regex(rules('1.23'), /-A KUBE-SVC-\S+ ! -s 10\.244\.0\.0\/16 -d 10\.103\.132\.104\/32 .* -j KUBE-MARK-MASQ/);
  t.notRegex(rules('1.23'), /-A KUBE-NODEPORTS .*-j KUBE-MARK-MASQ/);
});

test('KUBE-POSTROUTING and the mark: match-and-masquerade up to 1.18, unmark first from 1.19; --random-fully from 1.16 where iptables has it', (t) => {
  t.true(rules('1.11').includes('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE\n'));
  t.true(rules('1.11', 'iptables', 'restore').includes('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x004000/0x004000'));
  t.true(rules('1.17').includes('-j MASQUERADE --random-fully'));
  t.false(rules('1.17', 'iptables', 'save', 'centos7').includes('-j MASQUERADE --random-fully'));
  const now = rules('1.28', 'iptables', 'restore');
  t.true(now.includes('-A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN'));
  t.true(now.includes('-A KUBE-POSTROUTING -j MARK --xor-mark 0x004000'));
  t.true(now.includes('-A KUBE-MARK-MASQ -j MARK --or-mark 0x004000'));
});

test('a service without endpoints: nat rules before 1.10 are gone, REJECTs in filter, external ones in KUBE-EXTERNAL-SERVICES', (t) => {
  for (const v of ['1.11', '1.28']) {
    const r = rules(v);
    t.regex(r, /-A KUBE-SERVICES -d 10\.96\.0\.\d+\/32 -p tcp -m comment --comment "default\/empty(:)? has no endpoints" -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable/, v);
    t.notRegex(r, /-A KUBE-SERVICES .*"default\/empty:? cluster IP"/, v);
  }
});

test('UDP ports, second ports and namespaces get their own chains', (t) => {
  const r = rules('1.28');
  t.regex(r, /-p udp -m comment --comment "default\/web:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-/);
  t.regex(r, /-p udp -m comment --comment "default\/web:dns" -m udp -j DNAT --to-destination 10\.244\.\d+\.\d+:53/);
  t.regex(r, /"store\/shop external IP" -m tcp --dport 443 -j KUBE-EXT-/);
});

test('userspace: REDIRECT for pods, DNAT to the node address for the node itself, NodePort chains, a stable proxy port', (t) => {
  const r = rules('legacy', 'userspace');
  const port = /-A KUBE-PORTALS-CONTAINER -d 10\.103\.132\.104\/32 -p tcp -m comment --comment "default\/db-service:" -m tcp --dport 3306 -j REDIRECT --to-ports (\d+)/.exec(r)?.[1];
  t.truthy(port);
  t.true(Number(port) >= 32768 && Number(port) <= 60999);
  t.true(r.includes(`-A KUBE-PORTALS-HOST -d 10.103.132.104/32 -p tcp -m comment --comment "default/db-service:" -m tcp --dport 3306 -j DNAT --to-destination 192.168.1.11:${port}`));
  t.regex(r, /-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default\/web:http" -m tcp --dport 30080 -j REDIRECT --to-ports \d+/);
  t.regex(r, /-A KUBE-PORTALS-CONTAINER -d 198\.51\.100\.20\/32 .* -j REDIRECT/);
  t.is(rules('legacy', 'userspace'), r, 'the same ports at every rendering');
  t.regex(rules('1.11', 'userspace'), /-A KUBE-NODEPORT-NON-LOCAL -p tcp -m comment --comment "default\/web:http" -m tcp --dport \d+ -m state --state NEW -j ACCEPT/);
});

test('ipvs: virtual servers for cluster, external, LB and node addresses, kube-ipvs0 addresses, ipsets; marked as not run here', (t) => {
  const r = rules('1.28', 'ipvs');
  t.true(r.includes('ipvs is rendered and read back here, never run'));
  t.regex(r, /-A -t 10\.103\.132\.104:3306 -s rr\n-a -t 10\.103\.132\.104:3306 -r 10\.244\.\d+\.\d+:3306 -m -w 1\n/);
  t.true(r.includes('-A -u 10.96.0.2:53 -s rr'));
  t.true(r.includes('-A -t 192.168.1.11:30080 -s rr') && r.includes('-A -t 10.244.1.1:30080 -s rr'));
  t.true(r.includes('ip addr add 198.51.100.20/32 dev kube-ipvs0'));
  t.true(r.includes('add KUBE-NODE-PORT-TCP 30080'));
  t.true(r.includes('add KUBE-CLUSTER-IP 10.103.132.104,tcp:3306'));
  t.true(r.includes('-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ'));
});
