// Layer 5: services, where some node implements them, and where the rules send a service
// that does not answer.
import type { DiagnosisContext } from './diagnose-context.js';
import type { Layer } from './model.js';
import { natHasNodePort, natHasService, probePodOf, type PlannedProbe } from './probes.js';

/** Layer 5: services, probed only where a node implements them; the nodes that do not are named. */
export function serviceChecks(ctx: DiagnosisContext): void {
  const { lab, hosts, input, add, skipped, natOf } = ctx;
  if (!lab.services.length) {
    skipped[5] = 'the lab has no services';
    return;
  }
  const probed = new Set(input.probes.filter((p) => p.layer === 5).map((p) => p.id));
  const reachedNodes = lab.nodes.filter((n) => hosts.get(n.name)?.nodeFacts);
  const reasons: string[] = [];
  for (const svc of lab.services) {
    const implementing = reachedNodes.filter((n) => natHasService(natOf(n.name) ?? [], svc.clusterIP, svc.port));
    const base = { layer: 5 as Layer, source: 'nodes' };
    if (!svc.endpoints.length) {
      add({ ...base, id: `service:${svc.name}`, kind: 'service', target: `${svc.clusterIP}:${svc.port}`, result: 'skip', diagnosis: `service ${svc.name}: no pod matches its selector, nothing to reach` });
      continue;
    }
    if (!implementing.length) {
      const why = `nothing implements service ${svc.name} (${svc.clusterIP}:${svc.port}) on the nodes: no node's nat table has rules for it (kube-proxy is not running${reachedNodes.length < lab.nodes.length ? ' on the nodes labsmith could read' : ''}); not probed`;
      reasons.push(why);
      add({ ...base, id: `service:${svc.name}`, kind: 'service', target: `${svc.clusterIP}:${svc.port}`, result: 'skip', diagnosis: why });
      continue;
    }
    for (const n of lab.nodes) {
      const pod = probePodOf(lab, n.name);
      if (!pod) continue;
      const id = `service:${svc.name}@${n.name}`;
      if (probed.has(id)) continue; // the probe's own check
      const f = hosts.get(n.name)?.nodeFacts;
      if (!f)
        add({ ...base, id, kind: 'service', source: pod.name, target: `${svc.clusterIP}:${svc.port}`, result: 'unknown', diagnosis: `service ${svc.name} on ${n.name}: not known, ${n.name} was not read`, ...(hosts.get(n.name)?.reached === false ? { cause: `ssh:${n.name}` } : {}) });
      else
        add({
          ...base,
          id,
          kind: 'service',
          source: pod.name,
          target: `${svc.clusterIP}:${svc.port}`,
          result: 'fail',
          diagnosis: `${n.name} has no rules for service ${svc.name} (${svc.clusterIP}:${svc.port}) while ${implementing.map((x) => x.name).join(', ')} ${implementing.length === 1 ? 'has' : 'have'}: is kube-proxy running on ${n.name}?`,
        });
    }
    if (svc.type === 'NodePort' && svc.nodePort !== undefined) {
      const withNodePort = reachedNodes.filter((n) => natHasNodePort(natOf(n.name) ?? [], svc.nodePort!));
      for (const n of lab.nodes) {
        const id = `nodeport:${svc.name}@${n.name}`;
        if (probed.has(id)) continue;
        const f = hosts.get(n.name)?.nodeFacts;
        const target = `${n.address}:${svc.nodePort}`;
        if (!withNodePort.length) add({ ...base, id, kind: 'nodeport', target, result: 'skip', diagnosis: `NodePort ${svc.nodePort} of ${svc.name}: no node has rules for it; not probed` });
        else if (!f) add({ ...base, id, kind: 'nodeport', target, result: 'unknown', diagnosis: `NodePort ${svc.nodePort} on ${n.name}: not known, ${n.name} was not read` });
        else add({ ...base, id, kind: 'nodeport', target, result: 'fail', diagnosis: `${n.name} has no rules for NodePort ${svc.nodePort} (${svc.name}) while other nodes do: is kube-proxy running there?` });
      }
    }
  }
  if (reasons.length && reasons.length === lab.services.filter((s) => s.endpoints.length).length) skipped[5] = `no node implements services (no kube-proxy rules for ${reasons.length === 1 ? lab.services.find((s) => s.endpoints.length)!.name : `the lab's ${reasons.length} services`})`;
}

/** For a service that does not answer: where the node's rules send it, when that is no endpoint
 * (a DNAT rule for the service's address and port, or else every DNAT target on the node). */
export function serviceHint(p: PlannedProbe, natOf: (node: string) => string[] | undefined): string {
  const t = p.target;
  if (t.kind !== 'service' && t.kind !== 'nodeport') return '';
  const node = t.kind === 'service' ? p.source.host : t.host!;
  const endpoints = t.service.endpoints.map((e) => `${e.ip}:${e.port}`);
  const rules = natOf(node) ?? [];
  const dnat = (r: string) => /--to-destination (\d+\.\d+\.\d+\.\d+:\d+)/.exec(r)?.[1];
  const direct = rules.filter((r) => (t.kind === 'service' ? natHasService([r], t.address, t.port) : natHasNodePort([r], t.port))).flatMap((r) => dnat(r) ?? []);
  const targets = direct.length ? direct : rules.flatMap((r) => dnat(r) ?? []);
  const strays = [...new Set(targets.filter((x) => !endpoints.includes(x)))];
  if (!strays.length || (!direct.length && strays.length < targets.length)) return '';
  return `; ${node}'s nat rules send it to ${strays.join(', ')}, not to an endpoint of ${t.service.name} (${endpoints.join(', ')})`;
}

