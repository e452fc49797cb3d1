// The address plan: one pure function from a validated lab file to the resolved Lab.
// It assumes checkSemantics found no errors.
import { bounds, fromNumber, makePrefix, nth, parsePrefix, prefixFinder, size, toNumber } from './ip.js';
import type { LabFile } from './schema.js';
import { containersOf, servicePortsOf } from './long-forms.js';
import { matches } from './semantics.js';
import type { Lab, MlsRoute, NodePlan, Prefix, ProbePod, Segment, ServicePlan, ServicePortPlan, WorkloadPlan } from './types.js';
import { defaultProxyMode, parseVersion } from './version.js';

export function planAddresses(file: string, src: LabFile): Lab {
  const release = parseVersion(src.kubernetes.version)!;
  const legacy = release.dialect === 'legacy';
  const serviceRange = mustPrefix(src.kubernetes.serviceRange);
  const clusterCidr = src.kubernetes.clusterCidr === undefined ? undefined : mustPrefix(src.kubernetes.clusterCidr);
  const [npFrom, npTo] = src.kubernetes.nodePortRange.split('-').map(Number) as [number, number];

  const segments: Segment[] = src.segments.map((s) => ({ name: s.name, prefix: mustPrefix(s.cidr), gateway: s.gateway }));
  const segmentOf = prefixFinder(segments, (s) => s.prefix);
  const podCidrs = allocatePodCidrs(src, clusterCidr);

  const nodes: NodePlan[] = src.nodes.map((n, i) => {
    const segment = segmentOf(toNumber(n.address))!;
    const role = n.role === 'master' ? 'master' : 'minion';
    const pod = podCidrs[i];
    return {
      name: n.name,
      role,
      os: n.os ?? src.os,
      address: n.address,
      segment: segment.name,
      prefixLength: segment.prefix.length,
      gateway: segment.gateway,
      ...(pod ? { docker0: { prefix: pod, gateway: nth(pod, 1) } } : {}),
      podCidrAllocated: role === 'minion' && n.podCidr === undefined,
      pods: [],
    };
  });

  const pods = placePods(src, nodes);
  const masterAddress = nodes.find((n) => n.role === 'master')!.address;
  const routes: MlsRoute[] = nodes
    .filter((n) => n.docker0)
    .map((n) => ({ prefix: n.docker0!.prefix, via: n.address, node: n.name, segment: n.segment }));

  return {
    name: src.name,
    file,
    os: src.os,
    kubernetes: {
      version: release.version,
      dialect: release.dialect,
      release: release.release,
      serviceRange,
      ...(clusterCidr ? { clusterCidr } : {}),
      nodeCidrMask: src.kubernetes.nodeCidrMask,
      proxyMode: src.kubernetes.proxyMode ?? defaultProxyMode(release),
      nodePortRange: { from: npFrom, to: npTo },
      apiserverPort: src.kubernetes.apiserverPort ?? (legacy ? 8080 : 6443),
      etcdPort: src.kubernetes.etcdPort ?? (legacy ? 4001 : 2379),
      binDir: src.kubernetes.binDir,
      clusterDomain: src.kubernetes.clusterDomain,
      apiserverServiceIP: nth(serviceRange, 1),
      masterAddress,
    },
    segments,
    router: {
      name: src.router.name,
      platform: src.router.platform,
      address: src.router.address,
      interfaces: segments.map((s) => ({ segment: s.name, address: s.gateway, prefix: s.prefix })),
      routes,
    },
    nodes,
    ssh: { user: src.ssh.user, port: src.ssh.port, ...(src.ssh.identityFile ? { identityFile: src.ssh.identityFile } : {}) },
    services: planServices(src, serviceRange, npFrom, pods),
    workloads: planWorkloads(src),
    pods,
  };
}

function mustPrefix(text: string): Prefix {
  const p = parsePrefix(text);
  if (!p.ok) throw new Error(`planAddresses called on an unvalidated prefix ${text}`);
  return p.value;
}

// Named pod CIDRs stay; the others are taken in node order from the start of clusterCidr,
// skipping any block that a named one overlaps.
function allocatePodCidrs(src: LabFile, clusterCidr: Prefix | undefined): (Prefix | undefined)[] {
  const taken = src.nodes
    .filter((n) => n.podCidr !== undefined && n.role !== 'master')
    .map((n) => bounds(mustPrefix(n.podCidr!)))
    .sort((a, b) => a[0] - b[0]);
  const mask = src.kubernetes.nodeCidrMask;
  const step = size(mask);
  let cursor = clusterCidr ? toNumber(clusterCidr.network) : 0;
  let t = 0;
  return src.nodes.map((n) => {
    if (n.role === 'master') return undefined;
    if (n.podCidr !== undefined) return mustPrefix(n.podCidr);
    for (;;) {
      const end = cursor + step - 1;
      while (t < taken.length && taken[t]![1] < cursor) t++;
      let clash = false;
      for (let j = t; j < taken.length && taken[j]![0] <= end; j++) {
        if (taken[j]![1] >= cursor) {
          clash = true;
          break;
        }
      }
      const block = cursor;
      cursor += step;
      if (!clash) return makePrefix(fromNumber(block), mask);
    }
  });
}

// Replicas are spread over the minions in turn, as a replication controller would, each
// taking the next free address of its node's pod CIDR; then one labsmith probe per minion.
function placePods(src: LabFile, nodes: NodePlan[]): ProbePod[] {
  const minions = nodes.filter((n) => n.docker0);
  const next = new Map<string, number>(minions.map((n) => [n.name, 2]));
  const pods: ProbePod[] = [];
  const place = (node: NodePlan, pod: Omit<ProbePod, 'node' | 'ip'>) => {
    const n = next.get(node.name)!;
    next.set(node.name, n + 1);
    const p: ProbePod = { ...pod, node: node.name, ip: nth(node.docker0!.prefix, n) };
    node.pods.push(p);
    pods.push(p);
  };
  if (!minions.length) return pods;
  let turn = 0;
  for (const w of src.workloads) {
    for (let r = 0; r < w.replicas; r++) {
      const ports = containersOf(w).flatMap((c) => (c.port === undefined ? [] : [c.port]));
      place(minions[turn % minions.length]!, { name: `${w.name}-${r}`, workload: w.name, namespace: w.namespace, labels: w.labels, ports });
      turn++;
    }
  }
  for (const m of minions) place(m, { name: `probe-${m.name}`, labels: { 'labsmith.io/probe': 'true' }, ports: [] });
  return pods;
}

function planWorkloads(src: LabFile): WorkloadPlan[] {
  return src.workloads.map((w) => ({ name: w.name, namespace: w.namespace, replicas: w.replicas, labels: w.labels, containers: containersOf(w) }));
}

// clusterIPs from the second address of the range on (the first is the apiserver's own
// service); node ports per service port, from the start of nodePortRange, skipping named ones.
function planServices(src: LabFile, range: Prefix, npFrom: number, pods: ProbePod[]): ServicePlan[] {
  const [first] = bounds(range);
  const usedIPs = new Set(src.services.filter((s) => s.clusterIP).map((s) => toNumber(s.clusterIP!)));
  const usedPorts = new Set(src.services.flatMap((s) => servicePortsOf(s).map((p) => p.nodePort)).filter((p): p is number => p !== undefined));
  let nextIP = first + 2;
  let nextPort = npFrom;
  return src.services.map((s) => {
    let clusterIP = s.clusterIP;
    if (!clusterIP) {
      while (usedIPs.has(nextIP)) nextIP++;
      clusterIP = fromNumber(nextIP);
      usedIPs.add(nextIP);
    }
    const selected = pods.filter((p) => p.workload !== undefined && p.namespace === s.namespace && matches(s.selector, p.labels));
    const exposesNodePorts = s.type === 'NodePort' || s.type === 'LoadBalancer';
    const ports: ServicePortPlan[] = servicePortsOf(s).map((p) => {
      let nodePort = p.nodePort;
      if (exposesNodePorts && nodePort === undefined) {
        while (usedPorts.has(nextPort)) nextPort++;
        nodePort = nextPort;
        usedPorts.add(nextPort);
      }
      const targetPort = p.targetPort ?? p.port;
      return {
        name: p.name ?? '',
        port: p.port,
        targetPort,
        protocol: p.protocol,
        ...(nodePort !== undefined ? { nodePort, nodePortAllocated: p.nodePort === undefined } : {}),
        endpoints: selected.map((pod) => ({ pod: pod.name, node: pod.node, ip: pod.ip, port: targetPort })),
      };
    });
    const head = ports[0]!;
    return {
      name: s.name,
      namespace: s.namespace,
      type: s.type,
      clusterIP,
      clusterIPAllocated: s.clusterIP === undefined,
      selector: s.selector,
      externalIPs: s.externalIPs,
      ...(s.loadBalancerIP !== undefined ? { loadBalancerIP: s.loadBalancerIP } : {}),
      ports,
      port: head.port,
      targetPort: head.targetPort,
      protocol: head.protocol,
      ...(head.nodePort !== undefined ? { nodePort: head.nodePort } : {}),
      endpoints: head.endpoints,
    };
  });
}
