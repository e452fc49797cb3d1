// The meaning checks: addresses, overlaps, uniqueness, era rules. Every check reports
// with the position of the field at fault; overlaps are found by sorting, not by pairs.
import { plural } from '../core/text.js';
import { pathToField, type Diagnostic, type Path, type Severity } from './diagnostics.js';
import { bounds, contains, overlaps, parseAddress, parsePrefix, prefixFinder, prefixInside, size } from './ip.js';
import type { LoadedLab } from './load.js';
import type { LabFile } from './schema.js';
import { containersOf, servicePortsOf } from './long-forms.js';
import type { Prefix } from './types.js';
import { cgroupV2Problem, defaultProxyMode, parseVersion, proxyModeProblem } from './version.js';

export function checkSemantics(lab: LabFile, loaded: LoadedLab): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (severity: Severity, path: Path, message: string, hint?: string) => {
    out.push({ file: loaded.file, ...loaded.locate(path), severity, field: pathToField(path), message, ...(hint ? { hint } : {}) });
  };
  const error = (path: Path, message: string, hint?: string) => report('error', path, message, hint);
  const warn = (path: Path, message: string, hint?: string) => report('warning', path, message, hint);

  const prefix = (text: string, path: Path): Prefix | undefined => {
    const p = parsePrefix(text);
    if (p.ok) return p.value;
    error(path, p.message, p.hint);
    return undefined;
  };
  const address = (text: string, path: Path): number | undefined => {
    const a = parseAddress(text);
    if (a.ok) return a.value;
    error(path, a.message);
    return undefined;
  };

  // Version and era rules.
  const k = lab.kubernetes;
  const release = parseVersion(k.version);
  if (!release) error(['kubernetes', 'version'], `unknown version ${JSON.stringify(k.version)}`, 'write "legacy" or a release such as "1.28" (quoted)');
  if (release && k.proxyMode) {
    const problem = proxyModeProblem(k.proxyMode, release);
    if (problem) error(['kubernetes', 'proxyMode'], problem.message, problem.hint);
  } else if (release) {
    const problem = proxyModeProblem(defaultProxyMode(release), release);
    if (problem) error(['kubernetes', 'version'], problem.message, problem.hint);
  }

  // Ranges: the service range, the cluster CIDR, segments and named pod CIDRs.
  const serviceRange = prefix(k.serviceRange, ['kubernetes', 'serviceRange']);
  const clusterCidr = k.clusterCidr === undefined ? undefined : prefix(k.clusterCidr, ['kubernetes', 'clusterCidr']);
  if (clusterCidr && k.nodeCidrMask < clusterCidr.length) {
    error(['kubernetes', 'nodeCidrMask'], `nodeCidrMask /${k.nodeCidrMask} is wider than clusterCidr ${clusterCidr.cidr}`, `use a mask of ${clusterCidr.length} or more`);
  }

  interface Range { prefix: Prefix; path: Path; what: string }
  const ranges: Range[] = [];
  if (serviceRange) ranges.push({ prefix: serviceRange, path: ['kubernetes', 'serviceRange'], what: `the service range ${serviceRange.cidr}` });

  const segments: { prefix: Prefix; gateway?: number; index: number }[] = [];
  const gatewayOwner = new Map<number, number>();
  lab.segments.forEach((s, i) => {
    const p = prefix(s.cidr, ['segments', i, 'cidr']);
    if (!p) return;
    ranges.push({ prefix: p, path: ['segments', i, 'cidr'], what: `segment ${s.name} (${p.cidr})` });
    const gw = address(s.gateway, ['segments', i, 'gateway']);
    const seg = { prefix: p, gateway: gw, index: i };
    segments.push(seg);
    if (gw === undefined) return;
    const [first, last] = bounds(p);
    if (!contains(p, gw)) error(['segments', i, 'gateway'], `gateway ${s.gateway} is outside segment ${s.name} (${p.cidr})`, `pick an address from ${p.cidr}`);
    else if (p.length < 31 && (gw === first || gw === last)) error(['segments', i, 'gateway'], `gateway ${s.gateway} is the ${gw === first ? 'network' : 'broadcast'} address of ${p.cidr}`, 'pick a host address');
    gatewayOwner.set(gw, i);
  });
  // clusterCidr contains pod CIDRs, so it stays out of the sweep below and is checked here.
  if (clusterCidr) {
    for (const s of segments) {
      if (overlaps(clusterCidr, s.prefix)) {
        error(['kubernetes', 'clusterCidr'], `clusterCidr ${clusterCidr.cidr} overlaps segment ${lab.segments[s.index]!.name} (${s.prefix.cidr})`, 'choose a range that no physical segment uses');
      }
    }
  }
  if (serviceRange && clusterCidr && overlaps(serviceRange, clusterCidr)) {
    error(['kubernetes', 'clusterCidr'], `clusterCidr ${clusterCidr.cidr} overlaps the service range ${serviceRange.cidr}`, 'pods and services need separate ranges');
  }

  const segmentOf = prefixFinder(segments, (s) => s.prefix);

  // Names and addresses unique.
  unique(lab.segments.map((s, i) => ({ key: s.name, path: ['segments', i, 'name'] })), 'segment name', error);
  unique(
    [{ key: lab.router.name, path: ['router', 'name'] as Path }, ...lab.nodes.map((n, i) => ({ key: n.name, path: ['nodes', i, 'name'] as Path }))],
    'host name',
    error,
  );
  unique(lab.services.map((s, i) => ({ key: s.name, path: ['services', i, 'name'] })), 'service name', error);
  unique(lab.workloads.map((w, i) => ({ key: w.name, path: ['workloads', i, 'name'] })), 'workload name', error);
  unique(lab.nodes.map((n, i) => ({ key: n.address, path: ['nodes', i, 'address'] })), 'node address', error);

  // The router is reached at one of its own gateway addresses.
  const routerAddr = address(lab.router.address, ['router', 'address']);
  if (routerAddr !== undefined && segments.length && !gatewayOwner.has(routerAddr)) {
    const gws = lab.segments.map((s) => s.gateway).join(', ');
    error(['router', 'address'], `${lab.router.address} is not one of the MLS's gateway addresses`, `the MLS holds the segment gateways; use one of ${gws}`);
  }

  // Nodes.
  let masters = 0;
  let minions = 0;
  let needsAllocation = 0;
  lab.nodes.forEach((n, i) => {
    const isMaster = n.role === 'master';
    if (isMaster) masters++;
    else minions++;
    const addr = address(n.address, ['nodes', i, 'address']);
    if (addr !== undefined && segments.length) {
      const seg = segmentOf(addr);
      if (!seg) error(['nodes', i, 'address'], `${n.address} is inside no segment`, `segments are ${lab.segments.map((s) => s.cidr).join(', ')}`);
      else {
        const [first, last] = bounds(seg.prefix);
        if (gatewayOwner.has(addr)) error(['nodes', i, 'address'], `${n.address} is the gateway of segment ${lab.segments[seg.index]!.name}, the MLS's address`, 'give the node an address of its own');
        else if (seg.prefix.length < 31 && (addr === first || addr === last)) error(['nodes', i, 'address'], `${n.address} is the ${addr === first ? 'network' : 'broadcast'} address of ${seg.prefix.cidr}`, 'pick a host address');
      }
    }
    if (n.podCidr !== undefined) {
      if (isMaster) {
        error(['nodes', i, 'podCidr'], 'a master runs no pods in this lab model, so it has no docker0 subnet', 'remove podCidr, or make the node a minion');
        return;
      }
      const p = prefix(n.podCidr, ['nodes', i, 'podCidr']);
      if (!p) return;
      ranges.push({ prefix: p, path: ['nodes', i, 'podCidr'], what: `the pod CIDR of ${n.name} (${p.cidr})` });
      if (clusterCidr && !prefixInside(p, clusterCidr)) error(['nodes', i, 'podCidr'], `${p.cidr} is outside clusterCidr ${clusterCidr.cidr}`, 'pick a pod CIDR inside clusterCidr, or remove it to have one allocated');
      if (p.length > 30) error(['nodes', i, 'podCidr'], `${p.cidr} is too small for a bridge and a pod`, 'use /30 or wider, typically /24');
    } else if (!isMaster) {
      if (k.clusterCidr === undefined) error(['nodes', i], `minion ${n.name} has no podCidr and the lab has no kubernetes.clusterCidr to allocate one from`, 'add podCidr to the node, or clusterCidr to kubernetes');
      else needsAllocation++;
    }
  });
  if (masters === 0) error(['nodes'], 'the lab has no master', 'give one node role: master');
  // Kubelets run on minions only: one warning at the lab's os for the minions that inherit
  // it, one at each minion's own os otherwise.
  if (release) {
    const minionNodes = lab.nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.role !== 'master');
    const inherit = minionNodes.find(({ n }) => n.os === undefined);
    const labProblem = inherit ? cgroupV2Problem(release, lab.os) : undefined;
    if (labProblem) warn(['os'], labProblem.message, labProblem.hint);
    for (const { n, i } of minionNodes) {
      const problem = n.os === undefined ? undefined : cgroupV2Problem(release, n.os);
      if (problem) warn(['nodes', i, 'os'], `minion ${n.name}: ${problem.message}`, problem.hint);
    }
  }
  if (clusterCidr && k.nodeCidrMask >= clusterCidr.length) {
    const capacity = size(clusterCidr.length) / size(k.nodeCidrMask);
    if (needsAllocation > capacity) {
      error(['kubernetes', 'clusterCidr'], `clusterCidr ${clusterCidr.cidr} holds ${plural(capacity, `/${k.nodeCidrMask} pod CIDR`)}, but ${needsAllocation === 1 ? '1 minion needs' : `${needsAllocation} minions need`} one`, 'widen clusterCidr or narrow nodeCidrMask');
    }
  }

  // Every range disjoint from every other: sort by start, sweep keeping the furthest end.
  const sorted = ranges.map((r) => ({ r, b: bounds(r.prefix) })).sort((x, y) => x.b[0] - y.b[0] || y.b[1] - x.b[1]);
  // The previous range is checked too, so a wide range does not hide a clash of two it covers.
  let reach: { r: Range; end: number } | undefined;
  let prev: { r: Range; end: number } | undefined;
  for (const { r, b } of sorted) {
    if (reach && b[0] <= reach.end) error(r.path, `${r.what} overlaps ${reach.r.what}`, 'segments, pod CIDRs and the service range must not overlap');
    if (prev && prev !== reach && b[0] <= prev.end) error(r.path, `${r.what} overlaps ${prev.r.what}`, 'segments, pod CIDRs and the service range must not overlap');
    prev = { r, end: b[1] };
    if (!reach || b[1] > reach.end) reach = prev;
  }

  // Ports.
  const [fromText, toText] = k.nodePortRange.split('-');
  const npFrom = Number(fromText);
  const npTo = Number(toText);
  if (!(npFrom >= 1 && npTo <= 65535 && npFrom <= npTo)) error(['kubernetes', 'nodePortRange'], `${k.nodePortRange} is not a range of ports`, 'write FROM-TO with 1 <= FROM <= TO <= 65535');

  // Services, port by port.
  const usedClusterIPs = new Map<number, number>();
  const usedNodePorts = new Map<number, string>();
  // Pod CIDRs, segments and the service range: the addresses external and LB IPs must avoid.
  const outsideOf = (ip: number) => ranges.find((r) => contains(r.prefix, ip)) ?? (clusterCidr && contains(clusterCidr, ip) ? { what: `clusterCidr ${clusterCidr.cidr}` } : undefined);
  let nodePortsNeeded = 0;
  lab.services.forEach((s, i) => {
    if (s.clusterIP !== undefined) {
      const ip = address(s.clusterIP, ['services', i, 'clusterIP']);
      if (ip !== undefined && serviceRange) {
        const [first, last] = bounds(serviceRange);
        if (!contains(serviceRange, ip)) error(['services', i, 'clusterIP'], `${s.clusterIP} is outside the service range ${serviceRange.cidr}`, 'pick an address inside serviceRange, or leave clusterIP out to have one allocated');
        else if (ip === first || ip === last) error(['services', i, 'clusterIP'], `${s.clusterIP} is the ${ip === first ? 'network' : 'broadcast'} address of the service range`, 'pick another address');
        else if (ip === first + 1) error(['services', i, 'clusterIP'], `${s.clusterIP} is reserved for the apiserver's own "kubernetes" service`, 'pick another address');
        else if (usedClusterIPs.has(ip)) error(['services', i, 'clusterIP'], `${s.clusterIP} is also the clusterIP of ${lab.services[usedClusterIPs.get(ip)!]!.name}`, 'every service needs its own clusterIP');
        else usedClusterIPs.set(ip, i);
      }
    }
    const ports = servicePortsOf(s, ['services', i]);
    const exposesNodePorts = s.type === 'NodePort' || s.type === 'LoadBalancer';
    // Kubernetes requires a name on every port of a multi-port service, unique within it.
    const names = new Map<string, Path>();
    const portProtos = new Map<string, Path>();
    for (const p of ports) {
      if (ports.length > 1 && p.name === undefined) error(p.path, `service ${s.name} has ${ports.length} ports, so each needs a name`, 'add name: <a DNS label> to the port');
      if (p.name !== undefined) {
        const first = names.get(p.name);
        if (first) error([...p.path, 'name'], `duplicate port name ${p.name} in service ${s.name} (first used at ${pathToField(first)})`, 'port names must be unique within a service');
        else names.set(p.name, [...p.path, 'name']);
      }
      const key = `${p.port}/${p.protocol}`;
      const firstKey = portProtos.get(key);
      if (firstKey) error([...p.path, 'port'], `service ${s.name} exposes ${key} twice (first at ${pathToField(firstKey)})`, 'each port and protocol once per service');
      else portProtos.set(key, [...p.path, 'port']);
      if (p.nodePort !== undefined) {
        const owner = usedNodePorts.get(p.nodePort);
        if (!exposesNodePorts) error([...p.path, 'nodePort'], `nodePort is set but the service type is ${s.type}`, 'set type: NodePort or LoadBalancer, or remove nodePort');
        else if (p.nodePort < npFrom || p.nodePort > npTo) error([...p.path, 'nodePort'], `node port ${p.nodePort} is outside nodePortRange ${k.nodePortRange}`, 'pick a port inside the range, or leave it out to have one allocated');
        else if (owner !== undefined) error([...p.path, 'nodePort'], `node port ${p.nodePort} is also used by ${owner}`, 'every service port needs its own node port');
        else usedNodePorts.set(p.nodePort, p.name ? `${s.name} port ${p.name}` : s.name);
      } else if (exposesNodePorts) nodePortsNeeded++;
    }
    // External and load-balancer addresses come from outside the lab's ranges: the MLS routes
    // them to the nodes, which would be ambiguous for an address a segment or pod already owns.
    const external = (text: string, path: Path, what: string) => {
      const ip = address(text, path);
      if (ip === undefined) return;
      const inside = outsideOf(ip);
      if (inside) error(path, `${what} ${text} lies inside ${inside.what}`, 'use an address outside every segment, pod CIDR and the service range');
    };
    s.externalIPs.forEach((ip, j) => external(ip, ['services', i, 'externalIPs', j], 'external IP'));
    if (s.loadBalancerIP !== undefined) {
      if (s.type !== 'LoadBalancer') error(['services', i, 'loadBalancerIP'], `loadBalancerIP is set but the service type is ${s.type}`, 'set type: LoadBalancer, or remove loadBalancerIP');
      else external(s.loadBalancerIP, ['services', i, 'loadBalancerIP'], 'load-balancer IP');
    } else if (s.type === 'LoadBalancer') {
      warn(['services', i, 'type'], `LoadBalancer service ${s.name} has no loadBalancerIP: nothing on bare metal assigns one, so it stays <pending> and answers only on its node ports`, 'add loadBalancerIP: <an address outside the lab ranges>');
    }
    const selected = lab.workloads.filter((w) => w.namespace === s.namespace && matches(s.selector, w.labels));
    if (Object.keys(s.selector).length === 0) warn(['services', i, 'selector'], 'the selector is empty, so the service selects no pods', 'add the labels of a workload');
    else if (selected.length === 0) {
      const elsewhere = lab.workloads.filter((w) => matches(s.selector, w.labels)).map((w) => `${w.name} (namespace ${w.namespace})`);
      const where = elsewhere.length ? ` in namespace ${s.namespace}` : '';
      warn(['services', i, 'selector'], `no workload${where} has the labels ${fmtLabels(s.selector)}${elsewhere.length ? `; ${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'has' : 'have'} them` : ''}`, 'the service will have no endpoints');
    } else {
      const listening = [...new Set(selected.flatMap((w) => containersOf(w).flatMap((c) => (c.port === undefined ? [] : [c.port]))))];
      for (const p of ports) {
        const targetPort = p.targetPort ?? p.port;
        if (listening.includes(targetPort)) continue;
        warn([...p.path, p.targetPort === undefined ? 'port' : 'targetPort'], `targetPort ${targetPort} is exposed by no selected workload (they listen on ${listening.join(', ') || 'no port'})`, listening.length ? `did you mean targetPort: ${listening[0]}?` : 'give the workload a port');
      }
    }
  });
  if (serviceRange) {
    // Allocation needs room: the reserved first address plus every service.
    const room = Math.max(0, size(serviceRange.length) - 3);
    if (lab.services.length > room) error(['kubernetes', 'serviceRange'], `the service range ${serviceRange.cidr} has room for ${plural(room, 'service')}, the lab has ${lab.services.length}`, 'widen serviceRange');
  }
  if (npTo >= npFrom && nodePortsNeeded > npTo - npFrom + 1 - usedNodePorts.size) error(['kubernetes', 'nodePortRange'], `${plural(nodePortsNeeded + usedNodePorts.size, 'node port')} ${nodePortsNeeded + usedNodePorts.size === 1 ? 'does' : 'do'} not fit in ${k.nodePortRange}`, 'widen nodePortRange');

  // Workloads.
  lab.workloads.forEach((w, i) => {
    if (w.replicas > 0 && minions === 0) error(['workloads', i, 'replicas'], `${plural(w.replicas, 'replica')} but the lab has no minion to run ${w.replicas === 1 ? 'it' : 'them'}`, 'add a minion, or set replicas: 0');
  });
  // Every minion holds its share of replicas plus labsmith's probe, next to the bridge address.
  if (minions > 0) {
    const replicas = lab.workloads.reduce((sum, w) => sum + w.replicas, 0);
    const perNode = Math.ceil(replicas / minions) + 1;
    const fits = (length: number) => size(length) - 3 >= perNode;
    lab.nodes.forEach((n, i) => {
      if (n.role === 'master' || n.podCidr === undefined) return;
      const p = parsePrefix(n.podCidr);
      if (p.ok && p.value.length <= 30 && !fits(p.value.length)) error(['nodes', i, 'podCidr'], `${p.value.cidr} cannot hold the ${plural(perNode, 'pod')} placed on ${n.name}`, 'use a wider pod CIDR or fewer replicas');
    });
    if (needsAllocation > 0 && !fits(k.nodeCidrMask)) error(['kubernetes', 'nodeCidrMask'], `a /${k.nodeCidrMask} pod CIDR cannot hold the ${plural(perNode, 'pod')} placed on each minion`, 'use a smaller nodeCidrMask');
  }
  return out;
}

function unique(items: { key: string; path: Path }[], what: string, error: (path: Path, message: string, hint?: string) => void): void {
  const seen = new Map<string, Path>();
  for (const item of items) {
    const first = seen.get(item.key);
    if (first) error(item.path, `duplicate ${what} ${item.key} (first used at ${pathToField(first)})`, `each ${what} must be unique`);
    else seen.set(item.key, item.path);
  }
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

function fmtLabels(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
