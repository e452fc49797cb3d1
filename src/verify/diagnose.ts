// From what the hosts said to checks with diagnoses (pure). Facts give the root-cause checks
// (forwarding, gateways, the MLS's table, docker0, probe pods); every probe that failed is
// then laid against the hops on its path, and a failure some failed hop explains is attributed
// to it (cause) instead of being reported as a problem of its own.
import { makePrefix, overlaps } from '../lab/ip.js';
import type { Lab, NodePlan, Prefix } from '../lab/types.js';
import type { Check, CheckKind, CheckResult, Layer } from './model.js';
import { PROBE_TIMEOUT_MS, podNetns } from './names.js';
import type { NodeFacts, ProbeOutcome, RouterFacts, TableRoute } from './parse.js';
import { natHasNodePort, natHasService, probePodOf, sourceNatRules, type Endpoint, type OutsideHost, type PlannedProbe } from './plan.js';

export interface HostObservation {
  host: string;
  role: 'master' | 'minion' | 'router' | 'outside';
  /** Connected over SSH. */
  reached: boolean;
  /** Why not ("connect: ...", "auth: ..."). */
  sshError?: string;
  nodeFacts?: NodeFacts;
  routerFacts?: RouterFacts;
  /** The facts/prepare command failed or printed something unreadable. */
  factsError?: string;
  /** The probe command failed, or could not run (python3 missing). */
  probeError?: string;
}

export interface DiagnoseInput {
  lab: Lab;
  /** Hosts labsmith tried to reach, by name. A router absent from it was not read. */
  hosts: Map<string, HostObservation>;
  /** Why the MLS's table was not read (a platform labsmith cannot read); absent when it was. */
  routerSkip?: string;
  outside?: OutsideHost;
  probes: readonly PlannedProbe[];
  /** Outcome per probe id; absent: the probe did not run. */
  outcomes: Map<string, ProbeOutcome>;
}

export interface Diagnosis {
  checks: Check[];
  skipped: Partial<Record<Layer, string>>;
}

const isMinion = (n: NodePlan) => n.role === 'minion';

export function diagnose(input: DiagnoseInput): Diagnosis {
  const { lab, hosts } = input;
  const checks: Check[] = [];
  const byId = new Map<string, Check>();
  const skipped: Partial<Record<Layer, string>> = {};
  const add = (c: Check): Check => {
    checks.push(c);
    byId.set(c.id, c);
    return c;
  };
  const router = lab.router.name;
  const nodeOf = new Map(lab.nodes.map((n) => [n.name, n]));
  const who = (address: string): string => {
    const n = lab.nodes.find((x) => x.address === address);
    if (n) return ` (${n.name})`;
    const d = lab.nodes.find((x) => x.docker0?.gateway === address);
    return d ? ` (${d.name}'s docker0)` : '';
  };

  // Layer 0: SSH, then whether the host's commands ran.
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
  const unreachable = (host: string) => hosts.get(host)?.reached === false;
  /** A check that could not be made on host: unknown, caused by the SSH failure if that is why. */
  const unknownOn = (host: string, what: string): Pick<Check, 'result' | 'diagnosis' | 'cause'> => {
    const h = hosts.get(host);
    if (!h || !h.reached) return { result: 'unknown', diagnosis: `${what}: not known, ${host} is unreachable over SSH`, cause: `ssh:${host}` };
    return { result: 'unknown', diagnosis: `${what}: not known, reading ${host} failed: ${h.factsError ?? 'no facts'}` };
  };

  // Layer 1: forwarding and default gateways (facts); node-to-node reach (probes, below).
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

  // Layer 2: the MLS's table.
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

  // Layer 3: docker0 on every minion.
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

  // Hosts whose probe command could not run.
  for (const h of hosts.values()) {
    if (!h.reached || !h.probeError) continue;
    add({ id: `prober:${h.host}`, layer: 0, kind: 'prober', source: 'labsmith', target: h.host, result: 'fail', diagnosis: `${h.host}: ${h.probeError}` });
  }

  // Layer 4 roots: probe pods and listener on every minion.
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

  // Services: which nodes implement them (read from their nat tables).
  const natOf = (node: string) => hosts.get(node)?.nodeFacts?.natRules;

  // Probes.
  const natSeen = new Map<string, { pod: string; seenAs: string; target: string }[]>();
  for (const p of input.probes) {
    const o = input.outcomes.get(p.id);
    const base = { id: p.id, layer: p.layer, kind: p.kind as CheckKind, source: p.source.name, target: targetLabel(p) };
    if (unreachable(p.host)) {
      add({ ...base, result: 'unknown', diagnosis: `not probed: ${p.host} is unreachable over SSH`, cause: `ssh:${p.host}` });
      continue;
    }
    if (byId.get(`prober:${p.host}`)) {
      add({ ...base, result: 'unknown', diagnosis: `not probed: ${hosts.get(p.host)!.probeError}`, cause: `prober:${p.host}` });
      continue;
    }
    if (!o) {
      add({ ...base, result: 'unknown', diagnosis: `no outcome from ${p.host}'s prober` });
      continue;
    }
    if (o.ok) {
      const answer = o.answer;
      if (p.wire.kind === 'tcp' && answer === undefined) {
        add({ ...base, result: 'fail', rttMs: o.rttMs, detail: 'no answer', diagnosis: `${describe(p)}: connected but nothing answered: something other than labsmith's listener holds port ${p.wire.port}` });
        continue;
      }
      if (p.checkPeer && answer !== undefined && !p.source.own.includes(answer)) {
        const src = p.source.kind === 'pod' ? nodeOf.get(p.source.host) : undefined;
        const natNode = src && [src.address, src.docker0?.gateway].includes(answer) ? src.name : undefined;
        if (natNode) natSeen.set(natNode, [...(natSeen.get(natNode) ?? []), { pod: p.source.name, seenAs: answer, target: p.target.name }]);
        add({
          ...base,
          result: 'fail',
          rttMs: o.rttMs,
          detail: `answer ${answer}`,
          diagnosis: `reply from ${p.target.address} seen from ${answer}${who(answer)}, not ${p.source.address}: something NATs pod traffic`,
          ...(natNode ? { cause: `nat:${natNode}` } : {}),
        });
        continue;
      }
      add({ ...base, result: 'pass', rttMs: o.rttMs, ...(answer ? { detail: `answer ${answer}` } : {}) });
      continue;
    }
    const detail = `${o.reason}${o.detail ? ` ${o.detail}` : ''}`;
    const causes = pathCauses(lab, p, router);
    const failed = causes.find((c) => byId.get(c)?.result === 'fail');
    if (failed) {
      add({ ...base, result: 'fail', detail, cause: failed, diagnosis: `${describe(p)}: ${failureText(p, o)}; explained by: ${byId.get(failed)!.diagnosis}` });
      continue;
    }
    const targetHost = 'host' in p.target && p.target.host ? p.target.host : undefined;
    const unknownCause = causes.find((c) => byId.get(c)?.result === 'unknown') ?? (targetHost && unreachable(targetHost) ? `ssh:${targetHost}` : undefined);
    if (unknownCause) {
      add({ ...base, result: 'unknown', detail, cause: unknownCause, diagnosis: `${describe(p)}: ${failureText(p, o)}; cannot tell why: ${byId.get(unknownCause)?.diagnosis ?? unknownCause}` });
      continue;
    }
    add({ ...base, result: 'fail', detail, diagnosis: `${describe(p)}: ${failureText(p, o)}${hint(p, o)}${serviceHint(p, natOf)}` });
  }

  // Layer 4 root: NAT of pod traffic, per minion, from what the receivers saw.
  for (const n of lab.nodes.filter(isMinion)) {
    if (!lab.pods.some((p) => p.node === n.name)) continue;
    const seen = natSeen.get(n.name);
    const id = `nat:${n.name}`;
    const base = { id, layer: 4 as Layer, kind: 'nat' as CheckKind, source: n.name, target: n.docker0!.prefix.cidr };
    if (seen?.length) {
      const rules = sourceNatRules(natOf(n.name) ?? []);
      const first = seen[0]!;
      add({
        ...base,
        result: 'fail',
        diagnosis:
          `${n.name} NATs its pods' traffic: ${first.pod} (${lab.pods.find((x) => x.name === first.pod)?.ip}) is seen as ${first.seenAs} by ${first.target}` +
          `${seen.length > 1 ? ` (and ${seen.length - 1} more)` : ''}; pods must keep their own address on the wire` +
          (rules.length ? `: remove ${rules.length === 1 ? 'the rule' : 'the rules'} ${rules.slice(0, 2).map((r) => `'${r}'`).join(', ')} in ${n.name}'s nat table` : ''),
      });
    } else if (unreachable(n.name) || byId.get(`prober:${n.name}`)) {
      add({ ...base, result: 'unknown', diagnosis: `NAT of ${n.name}'s pod traffic: not known, its pods were not probed from`, cause: unreachable(n.name) ? `ssh:${n.name}` : `prober:${n.name}` });
    } else add({ ...base, result: 'pass' });
  }

  // Layer 5: services. Probed only where a node implements them.
  serviceChecks(input, add, skipped, natOf);

  // A cause that has a cause of its own: point at the root.
  for (const c of checks) {
    const seen = new Set<string>();
    while (c.cause && byId.get(c.cause)?.cause && !seen.has(c.cause)) {
      seen.add(c.cause);
      c.cause = byId.get(c.cause)!.cause;
    }
  }

  const order = (c: Check) => c.layer * 10 + (['ssh', 'prober', 'forwarding', 'gateway', 'route', 'service-range', 'docker0', 'pods', 'nat'].includes(c.kind) ? 0 : 1);
  checks.sort((a, b) => order(a) - order(b));
  return { checks, skipped };
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

const targetLabel = (p: PlannedProbe): string => (p.target.kind === 'service' || p.target.kind === 'nodeport' ? `${p.target.address}:${p.target.port}` : p.target.name);

function where(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.name} (${e.address} on ${e.host})` : `${e.name} (${e.address})`;
}

function describe(p: PlannedProbe): string {
  const t = p.target;
  if (t.kind === 'service') return `service ${t.name} (${t.address}:${t.port}) from ${where(p.source)}`;
  if (t.kind === 'nodeport') return `NodePort ${t.port} of service ${t.name} on ${t.host} (${t.address}) from ${where(p.source)}`;
  return `${where(p.source)} -> ${where(t as Endpoint)}${p.wire.kind === 'tcp' ? ` port ${p.wire.port}` : ''}`;
}

function failureText(p: PlannedProbe, o: Extract<ProbeOutcome, { ok: false }>): string {
  const s = PROBE_TIMEOUT_MS / 1000;
  switch (o.reason) {
    case 'timeout':
      return p.wire.kind === 'icmp' ? `no echo reply within ${s} s` : `no answer within ${s} s`;
    case 'refused':
      return p.kind === 'pod' ? `connection refused: labsmith's listener is not running in ${p.target.name}` : 'connection refused: nothing listens there';
    case 'noanswer':
      return 'connected, but nothing answered';
    case 'hostunreach':
      return 'host unreachable (no ARP answer on the last hop, or an ICMP host-unreachable on the way)';
    case 'netunreach':
      return 'network unreachable (a router on the way has no route)';
    case 'unreach': {
      const [code, from] = (o.detail ?? '').split('/');
      const kind = code === '0' ? 'net unreachable' : code === '1' ? 'host unreachable' : code === '3' ? 'port unreachable' : `unreachable, code ${code}`;
      return `${from ?? 'a router'} answered destination unreachable (${kind}): it has no way there`;
    }
    case 'ttl':
      return `time exceeded at ${o.detail ?? '?'}: a routing loop`;
    case 'nons':
      return `the pod's namespace ${o.detail ?? ''} is missing on ${p.source.host}`;
    default:
      return `${o.reason}${o.detail ? ` ${o.detail}` : ''}`;
  }
}

/** A pointer at the hop, for failures no fact explains. */
function hint(p: PlannedProbe, o: Extract<ProbeOutcome, { ok: false }>): string {
  if (o.reason === 'ttl') return ' (look at the MLS route for the target and the target node\'s own routes)';
  if (p.kind === 'pod' && p.source.host !== (p.target as Endpoint).host && (o.reason === 'timeout' || o.reason === 'hostunreach'))
    return ` (check filters on ${p.source.host}, the MLS and ${(p.target as Endpoint).host}: iptables FORWARD rules, rp_filter)`;
  return '';
}

/** For a service that does not answer: where the node's rules send it, when that is no endpoint
 * (a DNAT rule for the service's address and port, or else every DNAT target on the node). */
function serviceHint(p: PlannedProbe, natOf: (node: string) => string[] | undefined): string {
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

/** Root-cause checks on the way from the probe's source to its target and back. */
export function pathCauses(lab: Lab, p: PlannedProbe, router: string): string[] {
  const s = p.source;
  const t = p.target;
  const out: string[] = [];
  const node = (name: string) => lab.nodes.find((n) => n.name === name);
  const cidrOf = (host: string) => node(host)?.docker0?.prefix.cidr;
  if (s.kind === 'pod') out.push(`docker0:${s.host}`, `pods:${s.host}`);
  if (p.kind === 'reach') {
    const a = node(s.host)!;
    const b = node((t as Endpoint).host)!;
    if (a.segment !== b.segment) out.push(`gateway:${a.name}`, `gateway:${b.name}`, `forwarding:${router}`);
    return out;
  }
  if (t.kind === 'service' || t.kind === 'nodeport') {
    if (s.kind === 'outside') out.push(`forwarding:${router}`);
    return out;
  }
  const target = t as Endpoint;
  out.push(`docker0:${target.host}`, `pods:${target.host}`);
  if (s.host === target.host) return out;
  // Leaving the source's host for the MLS.
  if (s.kind === 'pod') out.push(`forwarding:${s.host}`, `gateway:${s.host}`, `route:${cidrOf(s.host)}`);
  if (s.kind === 'node') out.push(`gateway:${s.host}`);
  out.push(`forwarding:${router}`);
  // Arriving at the target's node, and the reply leaving it.
  out.push(`route:${cidrOf(target.host)}`, `forwarding:${target.host}`);
  const tNode = node(target.host)!;
  const sameSegment = s.kind === 'node' && node(s.host)?.segment === tNode.segment;
  if (!sameSegment) out.push(`gateway:${target.host}`);
  return out;
}

function serviceChecks(
  input: DiagnoseInput,
  add: (c: Check) => Check,
  skipped: Partial<Record<Layer, string>>,
  natOf: (node: string) => string[] | undefined,
): void {
  const { lab, hosts } = input;
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
  if (reasons.length && reasons.length === lab.services.filter((s) => s.endpoints.length).length) skipped[5] = reasons.length === 1 ? reasons[0]! : `nothing implements the lab's ${reasons.length} services on the nodes (no kube-proxy rules); not probed`;
}
