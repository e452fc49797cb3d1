// iptables mode for one node: the era's fixed chains, every service port, the jumps.
import { byServiceName, RuleSet } from './builder.js';
import { iptablesEra, minorOf, type IptablesEra } from './era.js';
import { declareChains, fixedRules, jumps, NODEPORTS, SERVICES } from './iptables-common.js';
import { servicePortRules } from './iptables-services.js';
import { comment, jump, mod, rule } from './rule.js';
import type { IptablesProgram, ProxyInput } from './types.js';

export function iptablesRules(input: ProxyInput): { iptables: IptablesProgram; era: string } {
  const era = iptablesEra(minorOf(input.version), input.node.iptablesRandomFully);
  const set = new RuleSet();
  declareChains(set, era);
  fixedRules(set, era, input.node);
  for (const sp of byServiceName(input.services)) servicePortRules({ set, era, node: input.node }, sp);
  set.add('nat', rule(SERVICES, comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), mod('addrtype', '--dst-type', 'LOCAL'), jump(NODEPORTS)));
  jumps(set, era);
  return { iptables: set.build(), era: describeEra(input.version, era) };
}

export function describeEra(version: string, era: IptablesEra): string {
  const parts = [
    era.extChains ? 'KUBE-SVC/KUBE-EXT/KUBE-SVL (1.24+)' : 'KUBE-SVC/KUBE-XLB/KUBE-FW (up to 1.23)',
    era.masqueradeInServiceChain ? 'masquerade jumps in KUBE-SVC' : 'masquerade jumps in KUBE-SERVICES/KUBE-NODEPORTS',
    `probabilities %0.${era.probabilityDigits}f`,
    era.trailingColon ? 'unnamed ports end in ":"' : 'unnamed ports without ":"',
    era.unmarkBeforeMasquerade ? 'KUBE-POSTROUTING unmarks before MASQUERADE' : 'KUBE-POSTROUTING matches the mark',
    era.randomFully ? 'MASQUERADE --random-fully' : 'no --random-fully',
  ];
  return `iptables mode of ${version}: ${parts.join(', ')}`;
}
