// The iptables-mode rule set changed release by release. Each switch below is one change,
// with the release labsmith puts it in and why (the README's era table says the same).
// Releases are minor versions; patch releases that back-ported a change are not modelled.

export interface IptablesEra {
  minor: number;
  /** ServicePortName of an unnamed port ends in ":" up to 1.18 (types.go fmtPortName, 1.19). */
  trailingColon: boolean;
  /** computeProbability: %0.5f before 1.17, %0.10f from 1.17 (#83599). */
  probabilityDigits: 5 | 10;
  /** 1.24 (#109060): KUBE-EXT/KUBE-SVL replace KUBE-XLB; "-> ip:port" comments; bare -d/-s. */
  extChains: boolean;
  /** 1.21 (#96959): the KUBE-MARK-MASQ jumps move from KUBE-SERVICES/NODEPORTS into KUBE-SVC. */
  masqueradeInServiceChain: boolean;
  /** 1.19 (#92035): KUBE-POSTROUTING RETURNs unmarked packets and clears the mark; --or-mark. */
  unmarkBeforeMasquerade: boolean;
  /** 1.16 (#78547): MASQUERADE --random-fully, where iptables has it. */
  randomFully: boolean;
  /** 1.10 (#56164): REJECTs for external destinations move to filter KUBE-EXTERNAL-SERVICES,
   *  and services without endpoints get no nat rules. */
  externalServicesChain: boolean;
  /** 1.10 (#60306): the filter jumps match only --ctstate NEW. */
  filterNewOnly: boolean;
  /** 1.9 (#52569): filter KUBE-FORWARD accepts marked and established forwarded traffic. */
  forwardChain: boolean;
  /** 1.15 (#74839): KUBE-FORWARD first drops conntrack INVALID packets. */
  forwardDropsInvalid: boolean;
  /** 1.22: one "kubernetes forwarding conntrack rule" instead of the pod source/destination pair. */
  forwardOneConntrackRule: boolean;
  /** 1.14 (#74394) to 1.19: filter KUBE-SERVICES is also jumped to from INPUT and FORWARD. */
  servicesFromInput: boolean;
  /** 1.20 (#95252): LB REJECTs move to KUBE-EXTERNAL-SERVICES, which FORWARD jumps to too. */
  externalFromForward: boolean;
  /** 1.21: filter KUBE-NODEPORTS accepts health-check node ports (jumped to from INPUT). */
  healthCheckChain: boolean;
  /** 1.25 (KEP-3178): filter KUBE-PROXY-FIREWALL drops what KUBE-FW did not accept, and
   *  kube-proxy writes its own copy of kubelet's KUBE-FIREWALL; no KUBE-MARK-DROP. */
  proxyFirewall: boolean;
}

export function iptablesEra(minor: number, iptablesRandomFully: boolean): IptablesEra {
  return {
    minor,
    trailingColon: minor <= 18,
    probabilityDigits: minor < 17 ? 5 : 10,
    extChains: minor >= 24,
    masqueradeInServiceChain: minor >= 21,
    unmarkBeforeMasquerade: minor >= 19,
    randomFully: minor >= 16 && iptablesRandomFully,
    externalServicesChain: minor >= 10,
    filterNewOnly: minor >= 10,
    forwardChain: minor >= 9,
    forwardDropsInvalid: minor >= 15,
    forwardOneConntrackRule: minor >= 22,
    servicesFromInput: minor >= 14 && minor < 20,
    externalFromForward: minor >= 20,
    healthCheckChain: minor >= 21,
    proxyFirewall: minor >= 25,
  };
}

/** The minor release of a version string: "1.28" -> 28; legacy -> 0. */
export function minorOf(version: string): number {
  const m = /^1\.(\d+)/.exec(version);
  return m ? Number(m[1]) : 0;
}

/**
 * The userspace proxier generation labsmith renders: "era D" (v0.18 to v1.0, the last shape
 * before 1.2 made iptables the default): KUBE-PORTALS-CONTAINER/HOST jumped to first,
 * KUBE-NODEPORT-CONTAINER/HOST last, comments "ns/name:port". It is the generation the
 * classic lab's material shows (REDIRECT to a random port, DNAT for the node's own traffic).
 * From 1.2 on, userspace mode also has filter KUBE-NODEPORT-NON-LOCAL (the final proxier).
 */
export function userspaceEra(version: string): { label: string; nonLocalNodePorts: boolean } {
  const minor = minorOf(version);
  if (minor >= 2) return { label: `userspace proxier of ${version} (KUBE-PORTALS-*, KUBE-NODEPORT-*, KUBE-NODEPORT-NON-LOCAL)`, nonLocalNodePorts: true };
  return { label: `userspace proxier, era D (v0.18-v1.1: KUBE-PORTALS-*, KUBE-NODEPORT-*)${version === 'legacy' ? ', the classic lab' : ''}`, nonLocalNodePorts: false };
}
