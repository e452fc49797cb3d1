// The probes' outcomes: each passes, or fails and is laid against the root-cause checks on
// its path (a failure some failed hop explains is attributed to it); receivers that saw a
// node's address instead of its pod's make that node's NAT check fail.
import type { Lab, NodePlan } from '../lab/types.js';
import type { DiagnosisContext, NatSighting } from './diagnose-context.js';
import { serviceHint } from './diagnose-services.js';
import type { CheckKind, Layer } from './model.js';
import { PROBE_TIMEOUT_MS } from './names.js';
import type { ProbeOutcome } from './parse.js';
import { sourceNatRules, type Endpoint, type PlannedProbe } from './probes.js';

const isMinion = (n: NodePlan) => n.role === 'minion';

/** Every probe: passed, or failed and laid against the root causes on its path. Returns the NAT sightings per source node. */
export function probeChecks(ctx: DiagnosisContext): Map<string, NatSighting[]> {
  const { lab, input, hosts, router, nodeOf, add, byId, unreachable, who, natOf } = ctx;
  const natSeen = new Map<string, NatSighting[]>();
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
  return natSeen;
}

/** Layer 4 root: NAT of pod traffic, per minion, from what the receivers saw. */
export function natChecks(ctx: DiagnosisContext, natSeen: Map<string, NatSighting[]>): void {
  const { lab, add, byId, unreachable, natOf } = ctx;
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

