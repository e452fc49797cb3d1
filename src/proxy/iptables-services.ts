// Per service port, the nat and filter rules of iptables mode: the layout up to 1.23
// (KUBE-SVC, KUBE-FW for every LB address, KUBE-XLB for externalTrafficPolicy: Local) and the
// one from 1.24 (KUBE-EXT for every external destination, KUBE-SVL, KUBE-FW only for source
// ranges), after pkg/proxy/iptables/proxier.go syncProxyRules of each era.
import { byEndpointString, type RuleSet } from './builder.js';
import type { IptablesEra } from './era.js';
import { borrowMarkDrop, EXTERNAL_SERVICES, MARK_DROP, MARK_MASQ, NODEPORTS, PROXY_FIREWALL, SERVICES } from './iptables-common.js';
import { extChain, fwChain, sepChain, servicePortName, svcChain, svlChain, xlbChain } from './names.js';
import { savedProbability, writtenProbability } from './probability.js';
import { addr, comment, jump, mod, more, proto, reject, rule, target, type Piece } from './rule.js';
import type { ProxyEndpoint, ProxyNode, ProxyServicePort } from './types.js';

interface Ctx {
  set: RuleSet;
  era: IptablesEra;
  node: ProxyNode;
}

const statistic = (n: number, digits: 5 | 10): Piece => {
  const written = writtenProbability(n, digits);
  return { kind: 'module', name: 'statistic', restore: ['--mode', 'random', '--probability', written], save: ['--mode', 'random', '--probability', savedProbability(written)] };
};

/** `-m tcp -p tcp [-d IP] --dport N`, as kube-proxy orders them. */
function portMatch(p: string, port: number, dest?: string): Piece[] {
  return [mod(p), proto(p), ...(dest ? [addr('d', dest)] : []), more(p, '--dport', String(port))];
}

export function servicePortRules(ctx: Ctx, sp: ProxyServicePort): void {
  if (ctx.era.extChains) extLayout(ctx, sp);
  else classicLayout(ctx, sp);
}

/** Balancing rules from a service chain to its endpoints, then the endpoint chains. */
function endpointRules(ctx: Ctx, spn: string, p: string, from: string, eps: ProxyEndpoint[], arrowComments: boolean): void {
  const { set, era } = ctx;
  eps.forEach((ep, i) => {
    const sep = sepChain(spn, p, ep.ip, ep.port);
    const c = comment(arrowComments ? `${spn} -> ${ep.ip}:${ep.port}` : spn);
    set.add('nat', rule(from, c, ...(i < eps.length - 1 ? [statistic(eps.length - i, era.probabilityDigits)] : []), jump(sep)));
  });
}

function sepRules(ctx: Ctx, spn: string, p: string, eps: ProxyEndpoint[]): void {
  const { set, era } = ctx;
  for (const ep of eps) {
    const sep = set.chain('nat', sepChain(spn, p, ep.ip, ep.port));
    set.add('nat', rule(sep, comment(spn), addr('s', era.extChains ? ep.ip : `${ep.ip}/32`), jump(MARK_MASQ)));
    set.add('nat', rule(sep, comment(spn), mod(p), proto(p), target('DNAT', ['--to-destination', `${ep.ip}:${ep.port}`])));
  }
}

function classicLayout(ctx: Ctx, sp: ProxyServicePort): void {
  const { set, era, node } = ctx;
  const spn = servicePortName(sp.namespace, sp.name, sp.portName, era.trailingColon);
  const p = sp.protocol.toLowerCase();
  const svc = svcChain(spn, p);
  const eps = byEndpointString(sp.endpoints);
  const local = sp.externalTrafficPolicy === 'Local';
  const localEps = eps.filter((e) => e.local);
  // From 1.10 a service without endpoints gets no nat rules, only REJECTs in filter.
  const natRules = eps.length > 0 || !era.externalServicesChain;
  const rejectChain = (external: boolean) => (external && era.externalServicesChain ? EXTERNAL_SERVICES : SERVICES);
  const notLocal = node.clusterCidr ? [addr('s', node.clusterCidr, true)] : [];
  const xlb = local ? xlbChain(spn, p) : undefined;

  if (natRules) {
    set.chain('nat', svc);
    const args = [comment(`${spn} cluster IP`), ...portMatch(p, sp.port, `${sp.clusterIP}/32`)];
    if (node.clusterCidr) set.add('nat', rule(era.masqueradeInServiceChain ? svc : SERVICES, ...args, ...notLocal, jump(MARK_MASQ)));
    set.add('nat', rule(SERVICES, ...args, jump(svc)));

    for (const ip of sp.externalIPs) {
      const ext = [comment(`${spn} external IP`), ...portMatch(p, sp.port, `${ip}/32`)];
      if (local) set.add('nat', rule(SERVICES, ...ext, jump(xlb!)));
      else if (era.masqueradeInServiceChain) {
        set.add('nat', rule(svc, ...ext, ...notLocal, jump(MARK_MASQ)));
        set.add('nat', rule(SERVICES, ...ext, jump(svc)));
      } else {
        // Off-machine traffic only (not from a bridge, not local), and traffic for an
        // address that happens to be the node's own.
        set.add('nat', rule(SERVICES, ...ext, jump(MARK_MASQ)));
        set.add('nat', rule(SERVICES, ...ext, mod('physdev', '!', '--physdev-is-in'), mod('addrtype', '!', '--src-type', 'LOCAL'), jump(svc)));
        set.add('nat', rule(SERVICES, ...ext, mod('addrtype', '--dst-type', 'LOCAL'), jump(svc)));
      }
    }

    for (const ip of sp.loadBalancerIPs) {
      const fw = set.chain('nat', fwChain(spn, p));
      const lbComment = comment(`${spn} loadbalancer IP`);
      set.add('nat', rule(SERVICES, lbComment, ...portMatch(p, sp.port, `${ip}/32`), jump(fw)));
      if (!local) set.add('nat', rule(fw, lbComment, jump(MARK_MASQ)));
      const chosen = local ? xlb! : svc;
      if (sp.loadBalancerSourceRanges.length === 0) set.add('nat', rule(fw, lbComment, jump(chosen)));
      for (const src of sp.loadBalancerSourceRanges) set.add('nat', rule(fw, lbComment, addr('s', src), jump(chosen)));
      borrowMarkDrop(set);
      set.add('nat', rule(fw, lbComment, jump(MARK_DROP)));
    }

    if (sp.nodePort !== undefined) {
      const np = [comment(spn), mod(p), proto(p), more(p, '--dport', String(sp.nodePort))];
      if (local) {
        set.add('nat', rule(NODEPORTS, ...np, addr('s', '127.0.0.0/8'), jump(MARK_MASQ)));
        set.add('nat', rule(NODEPORTS, ...np, jump(xlb!)));
      } else {
        set.add('nat', rule(era.masqueradeInServiceChain ? svc : NODEPORTS, ...np, jump(MARK_MASQ)));
        set.add('nat', rule(NODEPORTS, ...np, jump(svc)));
      }
    }
    endpointRules(ctx, spn, p, svc, eps, false);
    if (xlb) {
      set.chain('nat', xlb);
      if (node.clusterCidr) set.add('nat', rule(xlb, comment('Redirect pods trying to reach external loadbalancer VIP to clusterIP'), addr('s', node.clusterCidr), jump(svc)));
      if (localEps.length === 0) {
        borrowMarkDrop(set);
        set.add('nat', rule(xlb, comment(`${spn} has no local endpoints`), jump(MARK_DROP)));
      } else {
        localEps.forEach((ep, i) => {
          const c = comment(`Balancing rule ${i} for ${spn}`);
          set.add('nat', rule(xlb, c, ...(i < localEps.length - 1 ? [statistic(localEps.length - i, era.probabilityDigits)] : []), jump(sepChain(spn, p, ep.ip, ep.port))));
        });
      }
    }
    sepRules(ctx, spn, p, eps);
  }

  if (eps.length === 0) {
    const noEndpoints = comment(`${spn} has no endpoints`);
    set.add('filter', rule(SERVICES, noEndpoints, ...portMatch(p, sp.port, `${sp.clusterIP}/32`), reject()));
    for (const ip of sp.externalIPs) set.add('filter', rule(rejectChain(true), noEndpoints, ...portMatch(p, sp.port, `${ip}/32`), reject()));
    for (const ip of sp.loadBalancerIPs) set.add('filter', rule(era.externalFromForward ? EXTERNAL_SERVICES : SERVICES, noEndpoints, ...portMatch(p, sp.port, `${ip}/32`), reject()));
    if (sp.nodePort !== undefined) set.add('filter', rule(rejectChain(true), noEndpoints, mod('addrtype', '--dst-type', 'LOCAL'), mod(p), proto(p), more(p, '--dport', String(sp.nodePort)), reject()));
  }
  if (sp.healthCheckNodePort !== undefined && era.healthCheckChain) {
    set.add('filter', rule(NODEPORTS, comment(`${spn} health check node port`), ...portMatch('tcp', sp.healthCheckNodePort), target('ACCEPT')));
  }
}

function extLayout(ctx: Ctx, sp: ProxyServicePort): void {
  const { set, era, node } = ctx;
  const spn = servicePortName(sp.namespace, sp.name, sp.portName, era.trailingColon);
  const p = sp.protocol.toLowerCase();
  const eps = byEndpointString(sp.endpoints);
  const localEps = eps.filter((e) => e.local);
  const externalLocal = sp.externalTrafficPolicy === 'Local';
  const clusterChain = svcChain(spn, p);
  const localChain = svlChain(spn, p);
  const hasEndpoints = eps.length > 0;
  const usesCluster = eps.length > 0;
  const usesLocal = localEps.length > 0 && externalLocal;
  const hasExternalEndpoints = externalLocal ? localEps.length > 0 : hasEndpoints;
  const externalPolicyChain = externalLocal ? localChain : clusterChain;
  const ext = extChain(spn, p);
  const externallyAccessible = sp.nodePort !== undefined || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  const usesExt = hasEndpoints && externallyAccessible;
  const usesFw = hasEndpoints && sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
  const fw = fwChain(spn, p);
  const lbChain = usesFw ? fw : ext;
  const filterComment = comment(hasEndpoints ? `${spn} has no local endpoints` : `${spn} has no endpoints`);
  const filterTarget = () => (hasEndpoints ? target('DROP') : reject());

  if (hasEndpoints) set.add('nat', rule(SERVICES, comment(`${spn} cluster IP`), ...portMatch(p, sp.port, sp.clusterIP), jump(clusterChain)));
  else set.add('filter', rule(SERVICES, filterComment, ...portMatch(p, sp.port, sp.clusterIP), filterTarget()));

  for (const ip of sp.externalIPs) {
    if (hasEndpoints) set.add('nat', rule(SERVICES, comment(`${spn} external IP`), ...portMatch(p, sp.port, ip), jump(ext)));
    if (!hasExternalEndpoints) set.add('filter', rule(EXTERNAL_SERVICES, filterComment, ...portMatch(p, sp.port, ip), filterTarget()));
  }
  for (const ip of sp.loadBalancerIPs) {
    if (hasEndpoints) set.add('nat', rule(SERVICES, comment(`${spn} loadbalancer IP`), ...portMatch(p, sp.port, ip), jump(lbChain)));
    if (usesFw && era.proxyFirewall) set.add('filter', rule(PROXY_FIREWALL, comment(`${spn} traffic not accepted by ${fw}`), ...portMatch(p, sp.port, ip), target('DROP')));
  }
  if (!hasExternalEndpoints) {
    for (const ip of sp.loadBalancerIPs) set.add('filter', rule(EXTERNAL_SERVICES, filterComment, ...portMatch(p, sp.port, ip), filterTarget()));
  }
  if (sp.nodePort !== undefined) {
    if (hasEndpoints) set.add('nat', rule(NODEPORTS, comment(spn), ...portMatch(p, sp.nodePort), jump(ext)));
    if (!hasExternalEndpoints) set.add('filter', rule(EXTERNAL_SERVICES, filterComment, mod('addrtype', '--dst-type', 'LOCAL'), ...portMatch(p, sp.nodePort), filterTarget()));
  }
  if (sp.healthCheckNodePort !== undefined) {
    set.add('filter', rule(NODEPORTS, comment(`${spn} health check node port`), ...portMatch('tcp', sp.healthCheckNodePort), target('ACCEPT')));
  }

  if (usesCluster) set.chain('nat', clusterChain);
  if (usesLocal) set.chain('nat', localChain);
  if (hasEndpoints && node.clusterCidr) {
    set.add('nat', rule(clusterChain, comment(`${spn} cluster IP`), ...portMatch(p, sp.port, sp.clusterIP), addr('s', node.clusterCidr, true), jump(MARK_MASQ)));
  }
  if (usesExt) {
    set.chain('nat', ext);
    if (!externalLocal) set.add('nat', rule(ext, comment(`masquerade traffic for ${spn} external destinations`), jump(MARK_MASQ)));
    else {
      if (node.clusterCidr) set.add('nat', rule(ext, comment(`pod traffic for ${spn} external destinations`), addr('s', node.clusterCidr), jump(clusterChain)));
      set.add('nat', rule(ext, comment(`masquerade LOCAL traffic for ${spn} external destinations`), mod('addrtype', '--src-type', 'LOCAL'), jump(MARK_MASQ)));
      set.add('nat', rule(ext, comment(`route LOCAL traffic for ${spn} external destinations`), mod('addrtype', '--src-type', 'LOCAL'), jump(clusterChain)));
    }
    if (hasExternalEndpoints) set.add('nat', rule(ext, jump(externalPolicyChain)));
  }
  if (usesFw) {
    set.chain('nat', fw);
    const lbComment = comment(`${spn} loadbalancer IP`);
    let allowFromNode = false;
    for (const src of sp.loadBalancerSourceRanges) {
      set.add('nat', rule(fw, lbComment, addr('s', src), jump(ext)));
      if (cidrContains(src, node.address)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of sp.loadBalancerIPs) set.add('nat', rule(fw, lbComment, addr('s', ip), jump(ext)));
    if (era.proxyFirewall) set.add('nat', rule(fw, comment(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)));
    else {
      borrowMarkDrop(set);
      set.add('nat', rule(fw, lbComment, jump(MARK_DROP)));
    }
  }
  if (usesCluster) endpointRules(ctx, spn, p, clusterChain, eps, true);
  if (usesLocal) endpointRules(ctx, spn, p, localChain, localEps, true);
  sepRules(ctx, spn, p, usesCluster ? eps : localEps);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [net, len] = cidr.trim().split('/');
  const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const bits = Number(len ?? 32);
  const size = 2 ** (32 - bits);
  return Math.floor(n(ip) / size) === Math.floor(n(net!) / size);
}
