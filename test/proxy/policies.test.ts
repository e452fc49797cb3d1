// externalTrafficPolicy: Local, LB source ranges and health-check ports, which a lab file
// cannot say but kube-proxy handles: kubernetes' own 1.28 fixture rendered in the older
// layouts, loaded into a scratch namespace like every other rendering.
import test from 'ava';
import { formatRestore, formatSave, jumpCommand, proxyProgram } from '../../src/proxy/index.js';
import { withoutComments } from './dump.js';
import { readFixture } from './kube-fixtures.js';
import { loadRestoreForm } from './netns.js';

for (const version of ['1.11', '1.19', '1.23', '1.24']) {
  test(`the overall fixture in ${version}'s layout loads and reads back as its save form`, (t) => {
    const program = proxyProgram({ ...readFixture('overall-v1.28').input, version });
    const r = loadRestoreForm(formatRestore(program.iptables, []), program.iptables.jumps.map(jumpCommand));
    t.is(r.code, 0, r.stderr);
    t.is(withoutComments(r.stdout), withoutComments(formatSave(program.iptables, [])));
  });
}

test('up to 1.23: KUBE-XLB for Local policy, KUBE-FW for every LB address, kubelet\'s KUBE-MARK-DROP', (t) => {
  const save = formatSave(proxyProgram({ ...readFixture('overall-v1.28').input, version: '1.23' }).iptables, []);
  // svc2 (Local, its only endpoint on another node): external traffic goes to KUBE-XLB, which
  // sends pods to the service chain and drops the rest.
  t.regex(save, /-A KUBE-SERVICES -d 192\.168\.99\.22\/32 -p tcp -m comment --comment "ns2\/svc2:p80 external IP" -m tcp --dport 80 -j KUBE-XLB-GNZBNJ2PO5MGZ6GT/);
  t.regex(save, /-A KUBE-XLB-GNZBNJ2PO5MGZ6GT -s 10\.0\.0\.0\/8 -m comment --comment "Redirect pods trying to reach external loadbalancer VIP to clusterIP" -j KUBE-SVC-GNZBNJ2PO5MGZ6GT/);
  t.regex(save, /-A KUBE-XLB-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2\/svc2:p80 has no local endpoints" -j KUBE-MARK-DROP/);
  t.regex(save, /-A KUBE-FW-NUKIZ6OKUXPJNT4C -s 203\.0\.113\.0\/25 -m comment --comment "ns5\/svc5:p80 loadbalancer IP" -j KUBE-SVC-NUKIZ6OKUXPJNT4C/);
  t.regex(save, /-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000\/0x8000/);
  t.regex(save, /-A KUBE-NODEPORTS -p tcp -m comment --comment "ns2\/svc2:p80 health check node port" -m tcp --dport 30000 -j ACCEPT/);
  t.notRegex(save, /KUBE-EXT-|KUBE-PROXY-FIREWALL/);
});
