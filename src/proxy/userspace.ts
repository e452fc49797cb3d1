// Userspace mode: the proxy listens on one port per service port and the nat rules steer
// portal traffic there: REDIRECT for what arrives from containers (it crosses the bridge),
// DNAT to the node's own address for what the node itself sends (REDIRECT of local traffic
// would go to loopback and the replies would come from the wrong address).
import { byServiceName, RuleSet } from './builder.js';
import { minorOf, userspaceEra } from './era.js';
import { servicePortName } from './names.js';
import { assignProxyPorts } from './proxy-port.js';
import { addr, comment, jump, mod, more, proto, rule, target, type Piece } from './rule.js';
import type { IptablesProgram, ProxyInput } from './types.js';

export const PORTALS_CONTAINER = 'KUBE-PORTALS-CONTAINER';
export const PORTALS_HOST = 'KUBE-PORTALS-HOST';
export const NODEPORT_CONTAINER = 'KUBE-NODEPORT-CONTAINER';
export const NODEPORT_HOST = 'KUBE-NODEPORT-HOST';
export const NODEPORT_NON_LOCAL = 'KUBE-NODEPORT-NON-LOCAL';

export interface UserspaceResult {
  iptables: IptablesProgram;
  era: string;
  proxyPorts: { service: string; protocol: 'tcp' | 'udp'; port: number }[];
}

export function userspaceRules(input: ProxyInput): UserspaceResult {
  const era = userspaceEra(input.version);
  const trailingColon = minorOf(input.version) <= 18;
  const set = new RuleSet();
  for (const c of [PORTALS_CONTAINER, PORTALS_HOST, NODEPORT_CONTAINER, NODEPORT_HOST]) set.chain('nat', c);
  if (era.nonLocalNodePorts) set.chain('filter', NODEPORT_NON_LOCAL);

  const ports = byServiceName(input.services);
  const key = (sp: (typeof ports)[number]) => `${servicePortName(sp.namespace, sp.name, sp.portName, true)}/${sp.protocol.toLowerCase()}`;
  const assigned = assignProxyPorts(input.node.name, ports.map(key));
  const proxyPorts: UserspaceResult['proxyPorts'] = [];
  const host = input.node.address;
  for (const sp of ports) {
    const spn = servicePortName(sp.namespace, sp.name, sp.portName, trailingColon);
    const p = sp.protocol.toLowerCase() as 'tcp' | 'udp';
    const proxyPort = assigned.get(key(sp))!;
    proxyPorts.push({ service: spn, protocol: p, port: proxyPort });
    // iptablesCommonPortalArgs: comment, -p, -m, --dport, then -d.
    const common = (port: number, dest?: string): Piece[] => [comment(spn), proto(p), mod(p), more(p, '--dport', String(port)), ...(dest ? [addr('d', `${dest}/32`)] : [])];
    const redirect = target('REDIRECT', ['--to-ports', String(proxyPort)]);
    const dnat = target('DNAT', ['--to-destination', `${host}:${proxyPort}`]);
    for (const ip of [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs]) {
      set.add('nat', rule(PORTALS_CONTAINER, ...common(sp.port, ip), redirect));
      set.add('nat', rule(PORTALS_HOST, ...common(sp.port, ip), dnat));
    }
    if (sp.nodePort !== undefined) {
      set.add('nat', rule(NODEPORT_CONTAINER, ...common(sp.nodePort), redirect));
      set.add('nat', rule(NODEPORT_HOST, ...common(sp.nodePort), dnat));
      if (era.nonLocalNodePorts) set.add('filter', rule(NODEPORT_NON_LOCAL, ...common(proxyPort), mod('state', '--state', 'NEW'), target('ACCEPT')));
    }
  }
  const portals = comment('handle ClusterIPs; NOTE: this must be before the NodePort rules');
  const nodePorts = [mod('addrtype', '--dst-type', 'LOCAL'), comment('handle service NodePorts; NOTE: this must be the last rule in the chain')];
  set.jumps.push(
    { table: 'nat', position: 'prepend', rule: rule('PREROUTING', portals, jump(PORTALS_CONTAINER)), owner: 'kube-proxy' },
    { table: 'nat', position: 'prepend', rule: rule('OUTPUT', portals, jump(PORTALS_HOST)), owner: 'kube-proxy' },
    { table: 'nat', position: 'append', rule: rule('PREROUTING', ...nodePorts, jump(NODEPORT_CONTAINER)), owner: 'kube-proxy' },
    { table: 'nat', position: 'append', rule: rule('OUTPUT', ...nodePorts, jump(NODEPORT_HOST)), owner: 'kube-proxy' },
  );
  if (era.nonLocalNodePorts) {
    set.jumps.push({ table: 'filter', position: 'prepend', rule: rule('INPUT', comment('Ensure that non-local NodePort traffic can flow'), jump(NODEPORT_NON_LOCAL)), owner: 'kube-proxy' });
  }
  return { iptables: set.build(), era: era.label, proxyPorts };
}
