// Which probes run where (pure): from the resolved Lab, the endpoints (nodes, probe pods,
// the outside host) and, per host, the batch of probes its one probe command runs.
import type { Lab, NodePlan, ProbePod, ServicePlan } from '../lab/types.js';
import type { Layer } from './model.js';
import { podNetns, podVeth, PROBE_PORT } from './names.js';
import type { PodSetup, WireProbe } from './scripts.js';

export interface Endpoint {
  /** Node, pod or outside host name. */
  name: string;
  kind: 'node' | 'pod' | 'outside';
  /** The host the endpoint lives on (a pod's node). */
  host: string;
  /** '-' for the host's own namespace, else the pod's. */
  netns: string;
  address: string;
  /** Addresses a receiver may see for this endpoint when nothing NATs (a node's source can be
   * its segment address or its docker0 address). */
  own: string[];
  pod?: ProbePod;
}

export interface ServiceTarget {
  name: string;
  kind: 'service' | 'nodeport';
  /** The node the NodePort is opened on. */
  host?: string;
  address: string;
  port: number;
  service: ServicePlan;
}

export interface PlannedProbe {
  /** The check's id. */
  id: string;
  layer: Layer;
  kind: 'reach' | 'pod' | 'service' | 'nodeport';
  /** The host whose probe command runs it. */
  host: string;
  wire: WireProbe;
  source: Endpoint;
  target: Endpoint | ServiceTarget;
  /** The answer must be one of the source's own addresses (no NAT). */
  checkPeer: boolean;
}

export interface OutsideHost {
  name: string;
  address: string;
}

export function nodeEndpoint(n: NodePlan): Endpoint {
  return { name: n.name, kind: 'node', host: n.name, netns: '-', address: n.address, own: [n.address, ...(n.docker0 ? [n.docker0.gateway] : [])] };
}

export function podEndpoint(p: ProbePod): Endpoint {
  return { name: p.name, kind: 'pod', host: p.node, netns: podNetns(p), address: p.ip, own: [p.ip], pod: p };
}

export function endpoints(lab: Lab, outside?: OutsideHost): { nodes: Endpoint[]; pods: Endpoint[]; outside?: Endpoint } {
  return {
    nodes: lab.nodes.map(nodeEndpoint),
    pods: lab.pods.map(podEndpoint),
    ...(outside ? { outside: { name: outside.name, kind: 'outside' as const, host: outside.name, netns: '-', address: outside.address, own: [outside.address] } } : {}),
  };
}

/** What a minion's prepare command makes: its pods, and what its listener listens on. */
export function podSetup(lab: Lab, node: NodePlan): { pods: PodSetup[]; listen: { netns: string; port: number }[] } {
  const mine = lab.pods.filter((p) => p.node === node.name);
  const length = node.docker0?.prefix.length ?? 24;
  const gateway = node.docker0?.gateway ?? '';
  const listen: { netns: string; port: number }[] = [];
  for (const p of mine) {
    listen.push({ netns: podNetns(p), port: PROBE_PORT });
    for (const port of new Set(p.ports)) if (port !== PROBE_PORT) listen.push({ netns: podNetns(p), port });
  }
  return { pods: mine.map((p) => ({ netns: podNetns(p), veth: podVeth(p), address: `${p.ip}/${length}`, gateway })), listen };
}

/** The pod a node's service probes leave from: labsmith's own probe pod, else its first pod. */
export function probePodOf(lab: Lab, node: string): ProbePod | undefined {
  const mine = lab.pods.filter((p) => p.node === node);
  return mine.find((p) => !p.workload) ?? mine[0];
}

export interface ServiceImplementation {
  /** Does this node carry rules for the service's cluster IP (kube-proxy's nat rules)? */
  clusterIP(service: ServicePlan, node: string): boolean;
  nodePort(service: ServicePlan, node: string): boolean;
}

export interface ProbeChoiceOptions {
  outside?: OutsideHost;
  /** Which nodes implement which services; absent: layer 5 probes nothing. */
  services?: ServiceImplementation;
}

/** Every probe, in a stable order: underlay, pods, services. */
export function chooseProbes(lab: Lab, opts: ProbeChoiceOptions = {}): PlannedProbe[] {
  const ep = endpoints(lab, opts.outside);
  const probes: PlannedProbe[] = [];
  for (const a of ep.nodes) {
    for (const b of ep.nodes) {
      if (a === b) continue;
      probes.push({ id: `reach:${a.name}>${b.name}`, layer: 1, kind: 'reach', host: a.host, wire: { kind: 'icmp', netns: '-', dst: b.address, port: 0 }, source: a, target: b, checkPeer: false });
    }
  }
  const sources = [...ep.nodes, ...ep.pods, ...(ep.outside ? [ep.outside] : [])];
  for (const s of sources) {
    for (const t of ep.pods) {
      if (s === t) continue;
      probes.push({ id: `pod:${s.name}>${t.name}`, layer: 4, kind: 'pod', host: s.host, wire: { kind: 'tcp', netns: s.netns, dst: t.address, port: PROBE_PORT }, source: s, target: t, checkPeer: true });
    }
  }
  const impl = opts.services;
  if (impl) {
    for (const svc of lab.services) {
      if (!svc.endpoints.length) continue;
      for (const node of lab.nodes) {
        const pod = probePodOf(lab, node.name);
        if (!pod || !impl.clusterIP(svc, node.name)) continue;
        const s = podEndpoint(pod);
        probes.push({
          id: `service:${svc.name}@${node.name}`,
          layer: 5,
          kind: 'service',
          host: node.name,
          wire: { kind: 'tcp', netns: s.netns, dst: svc.clusterIP, port: svc.port },
          source: s,
          target: { name: svc.name, kind: 'service', address: svc.clusterIP, port: svc.port, service: svc },
          checkPeer: false,
        });
      }
      if (svc.type !== 'NodePort' || svc.nodePort === undefined) continue;
      for (const node of lab.nodes) {
        if (!impl.nodePort(svc, node.name)) continue;
        // From the outside host where there is one (the emulated lab), else from another node.
        const from = ep.outside ?? ep.nodes.find((n) => n.name !== node.name);
        if (!from) continue;
        probes.push({
          id: `nodeport:${svc.name}@${node.name}`,
          layer: 5,
          kind: 'nodeport',
          host: from.host,
          wire: { kind: 'tcp', netns: '-', dst: node.address, port: svc.nodePort },
          source: from,
          target: { name: svc.name, kind: 'nodeport', host: node.name, address: node.address, port: svc.nodePort, service: svc },
          checkPeer: false,
        });
      }
    }
  }
  return probes;
}

/** Probes grouped by the host that runs them, in plan order (the index is the prober's). */
export function byHost(probes: readonly PlannedProbe[]): Map<string, PlannedProbe[]> {
  const out = new Map<string, PlannedProbe[]>();
  for (const p of probes) {
    const list = out.get(p.host);
    if (list) list.push(p);
    else out.set(p.host, [p]);
  }
  return out;
}

/** Does a nat-table dump carry rules for ip:port (kube-proxy: KUBE-SERVICES / portal rules)? */
export function natHasService(rules: readonly string[], ip: string, port: number): boolean {
  const dst = new RegExp(`(^|\\s)-d ${ip.replace(/\./g, '\\.')}(/32)?(\\s|$)`);
  const dport = new RegExp(`--dport ${port}(\\s|$)`);
  return rules.some((r) => dst.test(r) && dport.test(r));
}

export function natHasNodePort(rules: readonly string[], port: number): boolean {
  const dport = new RegExp(`--dport ${port}(\\s|$)`);
  return rules.some((r) => dport.test(r) && /(KUBE-NODEPORTS|NodePort|DNAT|REDIRECT|KUBE-SVC)/.test(r));
}

/** Rules of a nat table that rewrite the source of traffic leaving the node. */
export function sourceNatRules(rules: readonly string[]): string[] {
  return rules.filter((r) => /-j (MASQUERADE|SNAT)\b/.test(r));
}
