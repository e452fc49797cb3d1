// The parts of iptables mode that do not depend on the services: the fixed chains' rules and
// the jumps from the built-in chains, by era.
import type { RuleSet } from './builder.js';
import type { IptablesEra } from './era.js';
import { addr, comment, jump, markMatch, markTarget, mod, rule, target, type Piece, type Table } from './rule.js';
import type { ProxyNode } from './types.js';

export const SERVICES = 'KUBE-SERVICES';
export const EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const NODEPORTS = 'KUBE-NODEPORTS';
export const POSTROUTING = 'KUBE-POSTROUTING';
export const MARK_MASQ = 'KUBE-MARK-MASQ';
export const MARK_DROP = 'KUBE-MARK-DROP';
export const FORWARD = 'KUBE-FORWARD';
export const PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const FIREWALL = 'KUBE-FIREWALL';

/** Up to 1.18 the mark is written "%#08x/%#08x" (0x004000/0x004000); from 1.19 value and mask
 * are joined where needed. */
export function markPair(node: ProxyNode): string {
  return `${node.mark}/${node.mark}`;
}

/** Declares the top-level chains, in the order kube-proxy lists them. */
export function declareChains(set: RuleSet, era: IptablesEra): void {
  set.chain('filter', SERVICES);
  if (era.externalServicesChain) set.chain('filter', EXTERNAL_SERVICES);
  if (era.forwardChain) set.chain('filter', FORWARD);
  if (era.healthCheckChain) set.chain('filter', NODEPORTS);
  if (era.proxyFirewall) set.chain('filter', PROXY_FIREWALL);
  if (era.proxyFirewall) set.chain('filter', FIREWALL);
  for (const c of [SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ]) set.chain('nat', c);
}

export function fixedRules(set: RuleSet, era: IptablesEra, node: ProxyNode): void {
  const masquerade = target('MASQUERADE', era.randomFully ? ['--random-fully'] : []);
  const snat = comment('kubernetes service traffic requiring SNAT');
  if (era.unmarkBeforeMasquerade) {
    set.add('nat', rule(POSTROUTING, markMatch(markPair(node), true), target('RETURN')));
    set.add('nat', rule(POSTROUTING, markTarget('xor-mark', node.mark)));
    set.add('nat', rule(POSTROUTING, snat, masquerade));
    set.add('nat', rule(MARK_MASQ, markTarget('or-mark', node.mark)));
  } else {
    set.add('nat', rule(POSTROUTING, snat, markMatch(markPair(node)), masquerade));
    set.add('nat', rule(MARK_MASQ, markTarget('set-xmark', markPair(node))));
  }
  if (era.forwardChain) {
    if (era.forwardDropsInvalid) set.add('filter', rule(FORWARD, mod('conntrack', '--ctstate', 'INVALID'), target('DROP')));
    set.add('filter', rule(FORWARD, comment('kubernetes forwarding rules'), markMatch(markPair(node)), target('ACCEPT')));
    const established = mod('conntrack', '--ctstate', 'RELATED,ESTABLISHED');
    if (era.forwardOneConntrackRule) set.add('filter', rule(FORWARD, comment('kubernetes forwarding conntrack rule'), established, target('ACCEPT')));
    else if (node.clusterCidr) {
      set.add('filter', rule(FORWARD, addr('s', node.clusterCidr), comment('kubernetes forwarding conntrack pod source rule'), established, target('ACCEPT')));
      set.add('filter', rule(FORWARD, comment('kubernetes forwarding conntrack pod destination rule'), addr('d', node.clusterCidr), established, target('ACCEPT')));
    }
  }
  if (era.proxyFirewall) {
    set.add('filter', rule(FIREWALL, comment('block incoming localnet connections'), addr('d', '127.0.0.0/8'), addr('s', '127.0.0.0/8', true), mod('conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT'), target('DROP')));
  }
}

/** kubelet's KUBE-MARK-DROP, which KUBE-FW and KUBE-XLB jump to before 1.25. */
export function borrowMarkDrop(set: RuleSet): void {
  set.borrow('nat', MARK_DROP, 'kubelet', [rule(MARK_DROP, markTarget('set-xmark', '0x8000/0x8000'))]);
}

interface JumpSpec {
  table: Table;
  from: string;
  to: string;
  comment?: string;
  extra?: Piece[];
  owner?: 'kube-proxy' | 'kubelet';
}

/** iptablesJumpChains of the era, each ensured with EnsureRule(Prepend). */
export function jumps(set: RuleSet, era: IptablesEra): void {
  const isNew = era.filterNewOnly ? [mod('conntrack', '--ctstate', 'NEW')] : [];
  const specs: JumpSpec[] = [];
  // kubelet starts first and has made its KUBE-FIREWALL jumps by the time kube-proxy
  // ensures its copies, so they end up last in INPUT and OUTPUT.
  if (era.proxyFirewall) {
    specs.push({ table: 'filter', from: 'INPUT', to: FIREWALL, owner: 'kubelet' }, { table: 'filter', from: 'OUTPUT', to: FIREWALL, owner: 'kubelet' });
  }
  const ext = 'kubernetes externally-visible service portals';
  const portals = 'kubernetes service portals';
  if (!era.externalServicesChain) {
    specs.push({ table: 'filter', from: 'INPUT', to: SERVICES, comment: portals, extra: isNew }, { table: 'filter', from: 'OUTPUT', to: SERVICES, comment: portals, extra: isNew });
  } else {
    specs.push({ table: 'filter', from: 'INPUT', to: EXTERNAL_SERVICES, comment: ext, extra: isNew });
    if (era.externalFromForward) specs.push({ table: 'filter', from: 'FORWARD', to: EXTERNAL_SERVICES, comment: ext, extra: isNew });
    if (era.healthCheckChain) specs.push({ table: 'filter', from: 'INPUT', to: NODEPORTS, comment: 'kubernetes health check service ports' });
    if (era.servicesFromInput || era.externalFromForward) specs.push({ table: 'filter', from: 'FORWARD', to: SERVICES, comment: portals, extra: isNew });
    specs.push({ table: 'filter', from: 'OUTPUT', to: SERVICES, comment: portals, extra: isNew });
    if (era.servicesFromInput) specs.push({ table: 'filter', from: 'INPUT', to: SERVICES, comment: portals, extra: isNew });
  }
  if (era.forwardChain && era.externalFromForward) specs.push({ table: 'filter', from: 'FORWARD', to: FORWARD, comment: 'kubernetes forwarding rules' });
  if (era.proxyFirewall) {
    for (const from of ['INPUT', 'OUTPUT', 'FORWARD']) specs.push({ table: 'filter', from, to: PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', extra: isNew });
  }
  specs.push(
    { table: 'nat', from: 'OUTPUT', to: SERVICES, comment: portals },
    { table: 'nat', from: 'PREROUTING', to: SERVICES, comment: portals },
    { table: 'nat', from: 'POSTROUTING', to: POSTROUTING, comment: 'kubernetes postrouting rules' },
  );
  // Before 1.20 the KUBE-FORWARD jump was ensured on its own, after the list.
  if (era.forwardChain && !era.externalFromForward) specs.push({ table: 'filter', from: 'FORWARD', to: FORWARD, comment: 'kubernetes forwarding rules' });
  for (const s of specs) {
    const pieces = [...(s.extra ?? []), ...(s.comment ? [comment(s.comment)] : []), jump(s.to)];
    set.jumps.push({ table: s.table, position: 'prepend', rule: rule(s.from, ...pieces), owner: s.owner ?? 'kube-proxy' });
  }
}
