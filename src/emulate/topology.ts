// What an emulated lab is made of, derived from the resolved Lab alone (pure): the hosts
// (one per node, the router, the outside host), their namespaces, links and addresses.
import { bounds, fromNumber, makePrefix, overlaps, toNumber } from '../lab/ip.js';
import type { Lab, Prefix } from '../lab/types.js';

export type HostKind = 'node' | 'router' | 'outside';

export interface EmuInterface {
  /** Name inside the host: eth0, eth1, ... */
  ifname: string;
  /** The other end of the veth pair, inside the fabric namespace: v0, v1, ... */
  peer: string;
  /** Fabric bridge the peer is a port of. */
  bridge: string;
  /** Lab segment (or the uplink) this interface is on. */
  segment: string;
  address: string;
  prefixLength: number;
}

export interface EmuHost {
  name: string;
  kind: HostKind;
  /** Network namespace: lsm-<lab>.<host> */
  netns: string;
  interfaces: EmuInterface[];
  /** Default route (nodes: their segment gateway; outside: the MLS on the uplink). */
  gateway?: string;
  /** Where labsmith's SSH reaches the host (an address the host's sshd listens on). */
  address: string;
  /** An address the router answers on that no segment gives it (held on lo). */
  loopback?: string;
  /** Nodes: the OS family the host plays (where its programs are) and the lab's binDir (where
   * etcd and the Kubernetes binaries go). A change rebuilds the host. */
  os?: string;
  binDir?: string;
}

export interface EmuBridge {
  /** Bridge name inside the fabric namespace: b0, b1, ... */
  name: string;
  segment: string;
  cidr: string;
}

export interface Topology {
  lab: string;
  /** The lab's fabric namespace holding one bridge per segment: lsm-<lab> */
  fabric: string;
  bridges: EmuBridge[];
  hosts: EmuHost[];
  uplink: { segment: string; cidr: string; router: string; outside: string; outsideHost: string };
}

/** Every namespace of a lab is named lsm-<lab> (fabric) or lsm-<lab>.<host>. Names are DNS
 * labels, so the dot keeps lab "a" host "b-c" apart from lab "a-b" host "c". */
export const fabricNetns = (lab: string): string => `lsm-${lab}`;
export const hostNetnsPrefix = (lab: string): string => `lsm-${lab}.`;
export const hostNetns = (lab: string, host: string): string => `${hostNetnsPrefix(lab)}${host}`;

/** Benchmarking space (RFC 2544): never a real lab's. */
const UPLINK_POOL = makePrefix('198.18.0.0', 15);
const UPLINK_LENGTH = 30;

/** The lab's emulated shape. With `previous` (the running lab's), bridges keep their names by
 * segment and veths by host and interface, so a reconcile changes only what the lab did. */
export function topologyOf(lab: Lab, previous?: Pick<Topology, 'bridges' | 'hosts' | 'uplink'>): Topology {
  const taken = new Set<string>([lab.router.name, ...lab.nodes.map((n) => n.name)]);
  const outsideName = freeName('outside', taken);
  const segmentNames = new Set(lab.segments.map((s) => s.name));
  const uplinkSegment = freeName('uplink', segmentNames);
  const uplink = chooseUplink(lab);
  const uplinkRouter = fromNumber(toNumber(uplink.network) + 1);
  const uplinkOutside = fromNumber(toNumber(uplink.network) + 2);

  const segmentKey = (segment: string, uplinkName: string | undefined) => (segment === uplinkName ? UPLINK_KEY : segment);
  const bridgeName = namer('b', previous?.bridges.map((b) => [segmentKey(b.segment, previous.uplink.segment), b.name]) ?? []);
  const bridges: EmuBridge[] = [...lab.segments.map((s) => ({ segment: s.name, cidr: s.prefix.cidr })), { segment: uplinkSegment, cidr: uplink.cidr }].map((b) => ({
    name: bridgeName(segmentKey(b.segment, uplinkSegment)),
    ...b,
  }));
  const bridgeOf = new Map(bridges.map((b) => [b.segment, b.name]));

  const peerName = namer('v', previous?.hosts.flatMap((h) => h.interfaces.map((i): [string, string] => [ifaceKey(h.name, h.kind, i.ifname), i.peer])) ?? []);
  const ifaceOf = (host: string, kind: HostKind) => (ifname: string, segment: string, address: string, prefixLength: number): EmuInterface => ({
    ifname,
    peer: peerName(ifaceKey(host, kind, ifname)),
    bridge: bridgeOf.get(segment)!,
    segment,
    address,
    prefixLength,
  });

  let iface = ifaceOf(lab.router.name, 'router');
  // The router's interfaces keep their names by segment (the uplink's by being the uplink).
  const previousRouter = previous?.hosts.find((h) => h.name === lab.router.name && h.kind === 'router');
  const routerIfname = namer('eth', previousRouter?.interfaces.map((i): [string, string] => [segmentKey(i.segment, previous?.uplink.segment), i.ifname]) ?? []);
  const routerIfs = lab.router.interfaces.map((r) => iface(routerIfname(r.segment), r.segment, r.address, r.prefix.length));
  routerIfs.push(iface(routerIfname(UPLINK_KEY), uplinkSegment, uplinkRouter, UPLINK_LENGTH));
  const routerHasAddress = routerIfs.some((i) => i.address === lab.router.address);
  const router: EmuHost = {
    name: lab.router.name,
    kind: 'router',
    netns: hostNetns(lab.name, lab.router.name),
    interfaces: routerIfs,
    address: lab.router.address,
    ...(routerHasAddress ? {} : { loopback: lab.router.address }),
  };

  const nodes: EmuHost[] = lab.nodes.map((n) => ({
    name: n.name,
    kind: 'node',
    netns: hostNetns(lab.name, n.name),
    interfaces: [ifaceOf(n.name, 'node')('eth0', n.segment, n.address, n.prefixLength)],
    gateway: n.gateway,
    address: n.address,
    os: n.os,
    binDir: lab.kubernetes.binDir,
  }));

  iface = ifaceOf(outsideName, 'outside');
  const outside: EmuHost = {
    name: outsideName,
    kind: 'outside',
    netns: hostNetns(lab.name, outsideName),
    interfaces: [iface('eth0', uplinkSegment, uplinkOutside, UPLINK_LENGTH)],
    gateway: uplinkRouter,
    address: uplinkOutside,
  };

  return {
    lab: lab.name,
    fabric: fabricNetns(lab.name),
    bridges,
    hosts: [router, ...nodes, outside],
    uplink: { segment: uplinkSegment, cidr: uplink.cidr, router: uplinkRouter, outside: uplinkOutside, outsideHost: outsideName },
  };
}

/** Segment names are DNS labels: this key is no segment's. */
const UPLINK_KEY = '@uplink';
const ifaceKey = (host: string, kind: HostKind, ifname: string) => `${host}/${kind}/${ifname}`;

/** Names `<prefix><n>`: a key named before keeps its name; a new key gets the lowest number no
 * earlier or current key holds (so a name being removed is never handed out at once). */
function namer(prefix: string, earlier: [string, string][]): (key: string) => string {
  const byKey = new Map(earlier);
  const taken = new Set(earlier.map(([, name]) => name));
  let next = 0;
  return (key) => {
    const kept = byKey.get(key);
    if (kept !== undefined) return kept;
    while (taken.has(`${prefix}${next}`)) next++;
    const name = `${prefix}${next}`;
    taken.add(name);
    byKey.set(key, name);
    return name;
  };
}

function freeName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The first /30 of 198.18.0.0/15 that overlaps nothing the lab uses. */
export function chooseUplink(lab: Lab): Prefix {
  const used: Prefix[] = [
    ...lab.segments.map((s) => s.prefix),
    lab.kubernetes.serviceRange,
    ...(lab.kubernetes.clusterCidr ? [lab.kubernetes.clusterCidr] : []),
    ...lab.nodes.flatMap((n) => (n.docker0 ? [n.docker0.prefix] : [])),
  ];
  const [first, last] = bounds(UPLINK_POOL);
  const step = 2 ** (32 - UPLINK_LENGTH);
  for (let n = first; n + step - 1 <= last; n += step) {
    const candidate = makePrefix(fromNumber(n), UPLINK_LENGTH);
    if (!used.some((u) => overlaps(u, candidate))) return candidate;
  }
  throw new Error('no free /30 for the outside uplink in 198.18.0.0/15: the lab uses all of it');
}
