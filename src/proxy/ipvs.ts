// ipvs mode: every service address is an IPVS virtual server (scheduler rr, real servers
// masqueraded with weight 1) bound to the dummy interface kube-ipvs0, and a few ipsets let a
// handful of iptables rules match all services at once (pkg/proxy/ipvs/proxier.go).
// This machine's kernel has no IPVS and no dummy links: labsmith renders this and reads it
// back, it never runs it. The ipsets and iptables rules do load in a scratch namespace.
import { byEndpointString, byServiceName, cmp, RuleSet } from './builder.js';
import { iptablesEra, minorOf } from './era.js';
import { declareChains, fixedRules, jumps, MARK_MASQ, POSTROUTING, SERVICES } from './iptables-common.js';
import { addr, comment, jump, mod, proto, rule, target, type Piece } from './rule.js';
import type { IpsetEntry, IptablesProgram, IpvsProgram, IpvsVirtualServer, ProxyInput } from './types.js';

const NODE_PORT = 'KUBE-NODE-PORT';
const LOAD_BALANCER = 'KUBE-LOAD-BALANCER';

export interface IpvsResult {
  ipvs: IpvsProgram;
  iptables: IptablesProgram;
  era: string;
}

export function ipvsRules(input: ProxyInput): IpvsResult {
  const minor = minorOf(input.version);
  // Up to 1.11 (the 2018 proxier) the rules sit in KUBE-SERVICES without comments; a later
  // 2018 refactor added KUBE-NODE-PORT and KUBE-LOAD-BALANCER. labsmith switches at 1.12.
  const early = minor <= 11;
  const era = iptablesEra(minor, input.node.iptablesRandomFully);
  const ports = byServiceName(input.services);
  const sets = new Map<string, IpsetEntry>();
  const ipset = (name: string, type: IpsetEntry['type'], commentText: string) => {
    if (!sets.has(name)) sets.set(name, { name, type, comment: commentText, entries: [] });
    return sets.get(name)!;
  };
  const clusterIP = ipset('KUBE-CLUSTER-IP', 'hash:ip,port', 'Kubernetes service cluster ip + port for masquerade purpose');
  const loopBack = ipset('KUBE-LOOP-BACK', 'hash:ip,port,ip', 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose');
  const externalIP = ipset('KUBE-EXTERNAL-IP', 'hash:ip,port', 'Kubernetes service external ip + port for masquerade and filter purpose');
  const loadBalancer = ipset('KUBE-LOAD-BALANCER', 'hash:ip,port', 'Kubernetes service lb portal');
  const nodePortTcp = ipset('KUBE-NODE-PORT-TCP', 'bitmap:port', 'Kubernetes nodeport TCP port for masquerade purpose');
  const nodePortUdp = ipset('KUBE-NODE-PORT-UDP', 'bitmap:port', 'Kubernetes nodeport UDP port for masquerade purpose');
  const ipvsIPs = early ? undefined : ipset('KUBE-IPVS-IPS', 'hash:ip', 'IPVS service ips');

  const bound = new Set<string>();
  const servers: IpvsVirtualServer[] = [];
  for (const sp of ports) {
    const p = sp.protocol.toLowerCase() as 'tcp' | 'udp';
    const name = `${sp.namespace}/${sp.name}${sp.portName ? `:${sp.portName}` : ''}`;
    const eps = byEndpointString(sp.endpoints);
    const reals = eps.map((e) => ({ address: e.ip, port: e.port, weight: 1 }));
    const serve = (address: string, port: number) => servers.push({ protocol: p, address, port, scheduler: 'rr', reals, service: name });
    for (const ip of [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs]) {
      serve(ip, sp.port);
      bound.add(ip);
    }
    clusterIP.entries.push(`${sp.clusterIP},${p}:${sp.port}`);
    for (const ip of sp.externalIPs) externalIP.entries.push(`${ip},${p}:${sp.port}`);
    for (const ip of sp.loadBalancerIPs) loadBalancer.entries.push(`${ip},${p}:${sp.port}`);
    for (const e of eps.filter((x) => x.local)) loopBack.entries.push(`${e.ip},${p}:${e.port},${e.ip}`);
    if (sp.nodePort !== undefined) {
      (p === 'tcp' ? nodePortTcp : nodePortUdp).entries.push(String(sp.nodePort));
      for (const a of input.node.addresses) serve(a, sp.nodePort);
    }
  }
  const dummy = [...bound].sort(byAddress);
  if (ipvsIPs) for (const a of dummy) ipvsIPs.entries.push(a);
  for (const s of sets.values()) s.entries = [...new Set(s.entries)].sort(cmp);
  servers.sort((a, b) => byAddress(a.address, b.address) || a.port - b.port || cmp(a.protocol, b.protocol));

  const set = new RuleSet();
  declareChains(set, { ...era, externalServicesChain: false, healthCheckChain: false, proxyFirewall: false });
  fixedRules(set, { ...era, proxyFirewall: false }, input.node);
  const notLocal: Piece[] = input.node.clusterCidr ? [addr('s', input.node.clusterCidr, true)] : [];
  const matchSet = (name: string, dirs: string) => mod('set', '--match-set', name, dirs);
  set.add('nat', rule(POSTROUTING, ...(early ? [] : [comment(loopBack.comment)]), matchSet(loopBack.name, 'dst,dst,src'), target('MASQUERADE')));
  if (early) {
    if (clusterIP.entries.length && notLocal.length) set.add('nat', rule(SERVICES, matchSet(clusterIP.name, 'dst,dst'), ...notLocal, jump(MARK_MASQ)));
    if (externalIP.entries.length) set.add('nat', rule(SERVICES, matchSet(externalIP.name, 'dst,dst'), jump(MARK_MASQ)));
    if (loadBalancer.entries.length) set.add('nat', rule(SERVICES, matchSet(loadBalancer.name, 'dst,dst'), jump(MARK_MASQ)));
    for (const [s, p] of [[nodePortTcp, 'tcp'], [nodePortUdp, 'udp']] as const) {
      if (s.entries.length) set.add('nat', rule(SERVICES, mod(p), proto(p), matchSet(s.name, 'dst'), jump(MARK_MASQ)));
    }
  } else {
    set.chain('nat', NODE_PORT);
    set.chain('nat', LOAD_BALANCER);
    set.add('nat', rule(SERVICES, addr('s', '127.0.0.0/8'), target('RETURN')));
    if (clusterIP.entries.length && notLocal.length) set.add('nat', rule(SERVICES, comment(clusterIP.comment), matchSet(clusterIP.name, 'dst,dst'), ...notLocal, jump(MARK_MASQ)));
    if (externalIP.entries.length) {
      const c = comment(externalIP.comment);
      set.add('nat', rule(SERVICES, c, matchSet(externalIP.name, 'dst,dst'), jump(MARK_MASQ)));
      set.add('nat', rule(SERVICES, c, matchSet(externalIP.name, 'dst,dst'), mod('physdev', '!', '--physdev-is-in'), mod('addrtype', '!', '--src-type', 'LOCAL'), target('ACCEPT')));
      set.add('nat', rule(SERVICES, c, matchSet(externalIP.name, 'dst,dst'), mod('addrtype', '--dst-type', 'LOCAL'), target('ACCEPT')));
    }
    if (loadBalancer.entries.length) {
      set.add('nat', rule(SERVICES, comment(loadBalancer.comment), matchSet(loadBalancer.name, 'dst,dst'), jump(LOAD_BALANCER)));
      set.add('nat', rule(LOAD_BALANCER, jump(MARK_MASQ)));
    }
    for (const [s, p] of [[nodePortTcp, 'tcp'], [nodePortUdp, 'udp']] as const) {
      if (s.entries.length) set.add('nat', rule(NODE_PORT, proto(p), comment(s.comment), matchSet(s.name, 'dst'), jump(MARK_MASQ)));
    }
    set.add('nat', rule(SERVICES, mod('addrtype', '--dst-type', 'LOCAL'), jump(NODE_PORT)));
    if (clusterIP.entries.length) set.add('nat', rule(SERVICES, matchSet(clusterIP.name, 'dst,dst'), target('ACCEPT')));
  }
  jumps(set, { ...era, externalServicesChain: true, servicesFromInput: false, externalFromForward: false, healthCheckChain: false, proxyFirewall: false, filterNewOnly: false });
  // ipvs mode has no filter KUBE-SERVICES/KUBE-EXTERNAL-SERVICES REJECTs: drop their jumps.
  const iptables = set.build();
  const keep = iptables.jumps.filter((j) => j.table === 'nat' || j.rule.pieces.some((x) => x.kind === 'target' && x.name === 'KUBE-FORWARD'));
  const tables = iptables.tables.map((t) => (t.table === 'filter' ? { ...t, chains: t.chains.filter((c) => c === 'KUBE-FORWARD') } : t)).filter((t) => t.chains.length);
  return {
    ipvs: { dummyAddresses: dummy, virtualServers: servers, ipsets: [...sets.values()] },
    iptables: { ...iptables, tables, jumps: keep },
    era: early ? `ipvs mode of ${input.version} (the 2018 proxier: set rules in KUBE-SERVICES)` : `ipvs mode of ${input.version} (KUBE-NODE-PORT, KUBE-LOAD-BALANCER, ipsets)`,
  };
}

function byAddress(a: string, b: string): number {
  const n = (x: string) => x.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}
