// What it takes to turn a running emulated lab into the one a (changed) lab file describes
// (pure): hosts to remove and to build, bridges to add and delete, and for each host kept the
// `ip -batch` lines that move, add, remove and re-address its interfaces. Hosts whose shape
// did not change stay as they are, processes, files and pushed units included.
import type { EmuBridge, EmuHost, EmuInterface, Topology } from './topology.js';

export interface HostChange {
  /** The host as the lab now describes it (names kept from the running lab). */
  host: EmuHost;
  /** `ip -batch` lines inside the host's namespace, run after the fabric's. */
  inside: string[];
  /** Its address (what SSH, known_hosts and /etc/hosts name) changed. */
  addressChanged: boolean;
}

export interface ReconcilePlan {
  removeHosts: EmuHost[];
  addHosts: EmuHost[];
  addBridges: EmuBridge[];
  removeBridges: EmuBridge[];
  /** `ip -n <fabric> -batch` lines: new bridges, veths removed, added and moved (new hosts'
   * included), bridges gone. */
  fabric: string[];
  changed: HostChange[];
  /** One line per change, for people. */
  summary: string[];
}

const cidrOf = (i: Pick<EmuInterface, 'address' | 'prefixLength'>) => `${i.address}/${i.prefixLength}`;

export function planReconcile(running: Pick<Topology, 'bridges' | 'hosts'>, next: Topology): ReconcilePlan {
  const summary: string[] = [];
  const oldHosts = new Map(running.hosts.map((h) => [h.name, h]));
  const newHosts = new Map(next.hosts.map((h) => [h.name, h]));
  // A host that changes kind (a node now named like the outside host was) is a new host.
  // So is a node that plays another OS family or keeps its binaries elsewhere.
  const alike = (a: EmuHost | undefined, b: EmuHost | undefined) => a !== undefined && b !== undefined && a.kind === b.kind && a.os === b.os && a.binDir === b.binDir;
  const same = (h: EmuHost) => alike(oldHosts.get(h.name), h);
  const removeHosts = running.hosts.filter((h) => !alike(newHosts.get(h.name), h));
  const addHosts = next.hosts.filter((h) => !same(h));
  for (const h of removeHosts) summary.push(`- host ${h.name} (${h.kind}, ${h.address})`);
  for (const h of addHosts) summary.push(`+ host ${h.name} (${h.kind}, ${h.address})`);

  const oldBridges = new Set(running.bridges.map((b) => b.name));
  const newBridges = new Set(next.bridges.map((b) => b.name));
  const addBridges = next.bridges.filter((b) => !oldBridges.has(b.name));
  const removeBridges = running.bridges.filter((b) => !newBridges.has(b.name));
  for (const b of addBridges) summary.push(`+ segment ${b.segment} ${b.cidr}`);
  for (const b of removeBridges) summary.push(`- segment ${b.segment} ${b.cidr}`);
  for (const b of next.bridges) {
    const was = running.bridges.find((o) => o.name === b.name);
    if (was && was.cidr !== b.cidr) summary.push(`~ segment ${b.segment}: ${was.cidr} -> ${b.cidr}`);
  }

  const fabricAdd: string[] = addBridges.flatMap((b) => [`link add ${b.name} type bridge`, `link set ${b.name} up`]);
  const fabricDel: string[] = [];
  const fabricMove: string[] = [];
  const fabricLast: string[] = removeBridges.map((b) => `link del ${b.name}`);
  const changed: HostChange[] = [];
  for (const h of next.hosts) {
    const old = oldHosts.get(h.name);
    if (!old || !same(h)) continue;
    const inside: string[] = [];
    const lines: string[] = [];
    let readdressed = false;
    const oldIfs = new Map(old.interfaces.map((i) => [i.ifname, i]));
    for (const was of old.interfaces) {
      if (h.interfaces.some((i) => i.ifname === was.ifname)) continue;
      fabricDel.push(`link del ${was.peer}`);
      lines.push(`${h.name}: - ${was.ifname} ${cidrOf(was)} (${was.segment})`);
    }
    for (const i of h.interfaces) {
      const was = oldIfs.get(i.ifname);
      if (!was) {
        fabricMove.push(`link add ${i.peer} type veth peer name ${i.ifname} netns ${h.netns}`, `link set ${i.peer} master ${i.bridge} up`);
        inside.push(`addr add ${cidrOf(i)} dev ${i.ifname}`, `link set ${i.ifname} up`);
        lines.push(`${h.name}: + ${i.ifname} ${cidrOf(i)} (${i.segment})`);
        continue;
      }
      if (was.bridge !== i.bridge) fabricMove.push(`link set ${i.peer} master ${i.bridge}`);
      if (cidrOf(was) !== cidrOf(i)) {
        inside.push(`addr flush dev ${i.ifname}`, `addr add ${cidrOf(i)} dev ${i.ifname}`);
        readdressed = true;
      }
      if (was.bridge !== i.bridge || cidrOf(was) !== cidrOf(i)) {
        lines.push(`${h.name}: ~ ${i.ifname} ${cidrOf(was)} (${was.segment}) -> ${cidrOf(i)} (${i.segment})`);
      }
    }
    if (old.loopback !== h.loopback) {
      if (old.loopback) inside.push(`addr del ${old.loopback}/32 dev lo`);
      if (h.loopback) inside.push(`addr add ${h.loopback}/32 dev lo`);
      lines.push(`${h.name}: ~ lo ${old.loopback ?? 'none'} -> ${h.loopback ?? 'none'}`);
    }
    // Flushing an address takes the routes through it along: the default route is set again.
    if (old.gateway !== h.gateway || (readdressed && h.gateway)) {
      if (h.gateway) inside.push(`route replace default via ${h.gateway}`);
      else if (old.gateway) inside.push('route del default');
      if (old.gateway !== h.gateway) lines.push(`${h.name}: ~ default route ${old.gateway ?? 'none'} -> ${h.gateway ?? 'none'}`);
    }
    const addressChanged = old.address !== h.address;
    if (addressChanged) lines.push(`${h.name}: ~ reached at ${old.address} -> ${h.address}`);
    if (inside.length || lines.length || fabricMove.length) summary.push(...lines);
    if (inside.length || addressChanged) changed.push({ host: h, inside, addressChanged });
  }
  // New hosts' veths (their namespaces are added first), after the bridges they join.
  const fabricNew = addHosts.flatMap((h) => h.interfaces.flatMap((i) => [`link add ${i.peer} type veth peer name ${i.ifname} netns ${h.netns}`, `link set ${i.peer} master ${i.bridge} up`]));
  return {
    removeHosts,
    addHosts,
    addBridges,
    removeBridges,
    fabric: [...fabricAdd, ...fabricDel, ...fabricMove, ...fabricNew, ...fabricLast],
    changed,
    summary,
  };
}

export function reconcileEmpty(p: ReconcilePlan): boolean {
  return !p.removeHosts.length && !p.addHosts.length && !p.fabric.length && !p.changed.length && !p.summary.length;
}
