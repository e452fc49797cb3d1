// The checks read from each host's facts, one function per layer: SSH (0), the underlay (1),
// the MLS's table (2), docker0 (3), and the probe pods and their listener (4).
import { makePrefix, overlaps } from '../lab/ip.js';
import type { NodePlan, Prefix } from '../lab/types.js';
import type { DiagnosisContext } from './diagnose-context.js';
import type { Check, CheckKind, CheckResult, Layer } from './model.js';
import { podNetns } from './names.js';
import type { TableRoute } from './parse.js';

const isMinion = (n: NodePlan) => n.role === 'minion';

/** Layer 0: SSH to every host. */
export function sshChecks(ctx: DiagnosisContext): void {
  const { hosts, add } = ctx;
  for (const h of hosts.values()) {
    add({
      id: `ssh:${h.host}`,
      layer: 0,
      kind: 'ssh',
      source: 'labsmith',
      target: h.host,
      result: h.reached ? 'pass' : 'fail',
      ...(h.reached ? {} : { diagnosis: `${h.host} is unreachable over SSH (${clip(h.sshError ?? 'no connection', 240)}): its checks are unknown, not failed` }),
    });
  }
}

/** Layer 1: forwarding and default gateways of every node, forwarding on the MLS. */
export function underlayChecks(ctx: DiagnosisContext): void {
  const { lab, hosts, router, add, unknownOn } = ctx;
  for (const n of lab.nodes) {
    const f = hosts.get(n.name)?.nodeFacts;
    const base = { layer: 1 as Layer, source: n.name };
    if (!f) add({ ...base, id: `forwarding:${n.name}`, kind: 'forwarding', target: n.name, ...unknownOn(n.name, `forwarding on ${n.name}`) });
    else
      add({
        ...base,
        id: `forwarding:${n.name}`,
        kind: 'forwarding',
        target: n.name,
        result: f.forwarding ? 'pass' : 'fail',
        ...(f.forwarding
          ? {}
          : { diagnosis: `${n.name} has forwarding off${isMinion(n) ? ': traffic to and from its pods stops there' : ''} (sysctl -w net.ipv4.ip_forward=1, or run apply)` }),
      });
    if (!f) add({ ...base, id: `gateway:${n.name}`, kind: 'gateway', target: n.gateway, ...unknownOn(n.name, `${n.name}'s default gateway`) });
    else {
      const good = f.defaultGateway === n.gateway;
      add({
        ...base,
        id: `gateway:${n.name}`,
        kind: 'gateway',
        target: n.gateway,
        result: good ? 'pass' : 'fail',
        ...(good
          ? {}
          : {
              diagnosis: f.defaultGateway
                ? `${n.name}'s default gateway is ${f.defaultGateway}, not its segment's MLS address ${n.gateway}: pod CIDRs of other nodes are reached through the MLS (run apply)`
                : `${n.name} has no default route; it must point at its segment's MLS address ${n.gateway} (run apply)`,
            }),
      });
    }
  }
  const routerObs = hosts.get(router);
  const rf = routerObs?.routerFacts;
  if (rf) {
    add({
      id: `forwarding:${router}`,
      layer: 1,
      kind: 'forwarding',
      source: router,
      target: router,
      result: rf.forwarding ? 'pass' : 'fail',
      ...(rf.forwarding ? {} : { diagnosis: `the MLS (${router}) has forwarding off: nothing crosses it between segments and pod CIDRs` }),
    });
  }
}

/** Layer 2: the MLS's table: a route per pod CIDR via its node, nothing into the service range. */
export function switchTableChecks(ctx: DiagnosisContext): void {
  const { lab, input, router, add, skipped, unknownOn, who, routerObs, routerFacts: rf } = ctx;
  const routerUnknown = (what: string) => (input.routerSkip ? { result: 'skip' as CheckResult, diagnosis: `${what}: ${input.routerSkip}` } : routerObs ? unknownOn(router, what) : { result: 'skip' as CheckResult, diagnosis: `${what}: the MLS was not read` });
  if (input.routerSkip) skipped[2] = input.routerSkip;
  for (const r of lab.router.routes) {
    const id = `route:${r.prefix.cidr}`;
    const base = { id, layer: 2 as Layer, kind: 'route' as CheckKind, source: router, target: r.prefix.cidr };
    if (!rf) {
      add({ ...base, ...routerUnknown(`the MLS's route to ${r.prefix.cidr} (${r.node})`) });
      continue;
    }
    add({ ...base, ...routeResult(rf.routes, r.prefix.cidr, r.via, r.node, who) });
  }
  {
    const base = { id: `service-range:${router}`, layer: 2 as Layer, kind: 'service-range' as CheckKind, source: router, target: lab.kubernetes.serviceRange.cidr };
    if (!rf) add({ ...base, ...routerUnknown(`routes into the service range ${lab.kubernetes.serviceRange.cidr}`) });
    else {
      const bad = rf.routes.filter((t) => t.prefix !== '0.0.0.0/0' && overlapsText(t.prefix, lab.kubernetes.serviceRange));
      add({
        ...base,
        result: bad.length ? 'fail' : 'pass',
        ...(bad.length
          ? {
              diagnosis: `the MLS routes ${bad.map((b) => `${b.prefix}${b.nexthops.length ? ` via ${b.nexthops.join(',')}` : ''}`).join(', ')}, inside the service range ${lab.kubernetes.serviceRange.cidr}: the portal net is never routed, remove ${bad.length === 1 ? 'it' : 'them'}`,
            }
          : {}),
      });
    }
  }
}

/** Layer 3: docker0 on every minion, up and holding its address. */
export function docker0Checks(ctx: DiagnosisContext): void {
  const { lab, hosts, add, unknownOn } = ctx;
  for (const n of lab.nodes.filter(isMinion)) {
    const base = { id: `docker0:${n.name}`, layer: 3 as Layer, kind: 'docker0' as CheckKind, source: n.name, target: 'docker0' };
    const f = hosts.get(n.name)?.nodeFacts;
    if (!f) {
      add({ ...base, ...unknownOn(n.name, `docker0 on ${n.name}`) });
      continue;
    }
    const want = `${n.docker0!.gateway}/${n.docker0!.prefix.length}`;
    const d = f.docker0;
    const diagnosis = !d
      ? `${n.name} has no docker0 bridge: its pods have no gateway (run apply)`
      : !d.up
        ? `docker0 on ${n.name} is down: its pods are cut off (ip link set docker0 up, or run apply)`
        : !d.addresses.includes(want)
          ? `docker0 on ${n.name} does not hold ${want}${d.addresses.length ? ` (it holds ${d.addresses.join(', ')})` : ''}: its pods' gateway is missing (run apply)`
          : undefined;
    add({ ...base, result: diagnosis ? 'fail' : 'pass', ...(diagnosis ? { diagnosis } : {}) });
  }
}

/** Hosts whose probe command could not run. */
export function proberChecks(ctx: DiagnosisContext): void {
  const { hosts, add } = ctx;
  for (const h of hosts.values()) {
    if (!h.reached || !h.probeError) continue;
    add({ id: `prober:${h.host}`, layer: 0, kind: 'prober', source: 'labsmith', target: h.host, result: 'fail', diagnosis: `${h.host}: ${h.probeError}` });
  }
}

/** Layer 4 roots: the probe pods and the listener on every minion. */
export function podSetupChecks(ctx: DiagnosisContext): void {
  const { lab, hosts, add, byId, unknownOn } = ctx;
  for (const n of lab.nodes.filter(isMinion)) {
    const mine = lab.pods.filter((p) => p.node === n.name);
    if (!mine.length) continue;
    const base = { id: `pods:${n.name}`, layer: 4 as Layer, kind: 'pods' as CheckKind, source: n.name, target: `${mine.length} probe pods` };
    const f = hosts.get(n.name)?.nodeFacts;
    if (!f) {
      add({ ...base, ...unknownOn(n.name, `probe pods on ${n.name}`) });
      continue;
    }
    const problems: string[] = [];
    for (const p of mine) {
      const st = f.pods?.find((x) => x.netns === podNetns(p));
      if (!st) problems.push(`${p.name}: not reported`);
      else if (st.status === 'error') problems.push(`${p.name}: ${st.message ?? 'error'}`);
    }
    const l = f.listener;
    if (!l || l.status === 'error') problems.push(`the probe listener failed: ${l?.message ?? 'no report'}`);
    else if (l.status === 'nopython') problems.push('python3 is missing: the probe listener needs it (apt-get install python3, or yum install python3)');
    // A docker0 that is missing or down, or python3 missing (the prober says so too), is the
    // reason; the pods' trouble follows from it.
    const because = byId.get(`docker0:${n.name}`)?.result === 'fail' ? `docker0:${n.name}` : l?.status === 'nopython' && byId.get(`prober:${n.name}`) ? `prober:${n.name}` : undefined;
    add({ ...base, result: problems.length ? 'fail' : 'pass', ...(problems.length ? { diagnosis: `probe pods on ${n.name}: ${problems.join('; ')}`, ...(because ? { cause: because } : {}) } : {}) });
  }
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

function overlapsText(cidr: string, p: Prefix): boolean {
  const [net, len] = cidr.split('/');
  if (!net || len === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(net)) return false;
  return overlaps(makePrefix(net, Number(len)), p);
}

function routeResult(routes: readonly TableRoute[], cidr: string, via: string, node: string, who: (a: string) => string): Pick<Check, 'result' | 'diagnosis'> {
  const entries = routes.filter((r) => r.prefix === cidr);
  const active = entries.filter((r) => r.installed);
  if (active.some((r) => r.nexthops.length === 1 && r.nexthops[0] === via)) return { result: 'pass' };
  if (active.length) {
    const hops = [...new Set(active.flatMap((r) => r.nexthops))];
    const what = hops.length ? `via ${hops.map((h) => `${h}${who(h)}`).join(', ')}` : `directly (${active.map((r) => r.protocol).join(', ')})`;
    return { result: 'fail', diagnosis: `the MLS routes ${cidr} ${what}, not via ${via} (${node}): fix it or run apply` };
  }
  if (entries.length) {
    return { result: 'fail', diagnosis: `the MLS has a route to ${cidr} via ${entries.flatMap((r) => r.nexthops).join(', ') || '?'} but it is not in use (next hop unreachable?): it must go via ${via} (${node})` };
  }
  return { result: 'fail', diagnosis: `the MLS has no route to ${cidr} (${node}): add it or run apply` };
}

