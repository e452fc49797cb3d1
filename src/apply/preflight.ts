// preflight's checks, pure: what a node needs (from its rendering) and what it has (its
// facts) -> one row per check, each failing row naming its fix. Hosts are reached elsewhere
// (preflight-run.ts).
import type { BinaryFact, PreflightFacts } from '../hosts/preflight-facts.js';
import { osFamily } from '../hosts/preflight-facts.js';
import type { Lab } from '../lab/types.js';
import type { HostRender } from '../render/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightRow {
  host: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** What a node's rendering needs of the host it lands on. */
export interface NodeNeeds {
  host: string;
  os: string;
  /** Binaries the units start that the rendering does not itself push. */
  binaries: { path: string; unit: string }[];
  /** Ports the units listen on. */
  ports: { port: number; unit: string; binary: string }[];
  kubelet: boolean;
  /** kube-proxy in a kernel mode: bridged frames must pass iptables. */
  bridgeNetfilter: boolean;
  /** The rendering turns forwarding on. */
  forwarding: boolean;
  /** labsmith-forward.service accepts the pods' traffic whatever FORWARD's policy. */
  forwardChain: boolean;
  /** docker0's address in the lab: "10.10.10.1/24". */
  docker0?: string;
}

export function nodeNeeds(lab: Lab, render: HostRender): NodeNeeds {
  const node = lab.nodes.find((n) => n.name === render.host)!;
  const pushed = new Set(render.files.map((f) => f.path));
  const binaries: NodeNeeds['binaries'] = [];
  const ports: NodeNeeds['ports'] = [];
  for (const f of render.files) {
    if (!f.path.endsWith('.service')) continue;
    const unit = f.path.slice(f.path.lastIndexOf('/') + 1);
    for (const m of f.content.matchAll(/^ExecStart=[-@+!:]*(\S+)(.*)$/gm)) {
      const binary = m[1]!;
      if (!pushed.has(binary) && !binaries.some((b) => b.path === binary)) binaries.push({ path: binary, unit });
      for (const port of listenPorts(m[2]!)) ports.push({ port, unit, binary });
    }
  }
  return {
    host: render.host,
    os: node.os,
    binaries,
    ports,
    kubelet: binaries.some((b) => basename(b.path) === 'kubelet'),
    bridgeNetfilter: render.files.some((f) => f.template.startsWith('modules/br_netfilter')),
    forwarding: render.files.some((f) => f.notifies.some((h) => h.kind === 'network' && h.what === 'forwarding')),
    forwardChain: render.files.some((f) => f.path.endsWith('/labsmith-forward.service')),
    ...(node.docker0 ? { docker0: `${node.docker0.gateway}/${node.docker0.prefix.length}` } : {}),
  };
}

// The listening flags the rendered units use: --port, --secure-port, etcd's client URLs.
function listenPorts(args: string): number[] {
  const out = [...args.matchAll(/(?:^|\s)--(?:secure-)?port=(\d+)/g)].map((m) => Number(m[1]));
  const urls = /(?:^|\s)--listen-client-urls=(\S+)/.exec(args)?.[1];
  for (const u of urls?.split(',') ?? []) {
    const p = /:(\d+)\/?$/.exec(u)?.[1];
    if (p) out.push(Number(p));
  }
  return out.filter((p) => p > 0);
}

export interface CheckContext {
  lab: Lab;
  /** The emulated copy: its hosts are Debian 12 network namespaces without systemd. */
  emulated: boolean;
}

/** Every check but the clock (which compares hosts: clockRows). */
export function preflightChecks(needs: NodeNeeds, facts: PreflightFacts, ctx: CheckContext): PreflightRow[] {
  const host = needs.host;
  const row = (check: string, status: CheckStatus, detail: string, fix?: string): PreflightRow => ({ host, check, status, detail, ...(fix && status !== 'ok' ? { fix } : {}) });
  const rows: PreflightRow[] = [];
  const k = ctx.lab.kubernetes;

  const family = osFamily(facts.os);
  if (family === needs.os) rows.push(row('os', 'ok', family));
  else if (ctx.emulated) rows.push(row('os', 'warn', `emulated host is ${family ?? 'unknown'}, the lab says ${needs.os}: family not checked`, 'none needed: the emulated lab runs every family on this machine'));
  else rows.push(row('os', 'fail', `${family ?? 'no /etc/os-release'}, the lab says ${needs.os}`, `install ${needs.os} on ${host}, or set the node's os: in the lab file`));

  if (facts.systemd) rows.push(row('systemd', 'ok', 'running'));
  else if (ctx.emulated) rows.push(row('systemd', 'warn', 'not running: emulated host, the emulator starts the units', 'none needed in the emulated lab'));
  else rows.push(row('systemd', 'fail', 'not running as init: units cannot start', `boot ${host} with systemd as PID 1`));

  if (!facts.swaps.length) rows.push(row('swap', 'ok', 'off'));
  else if (needs.kubelet && k.dialect === 'modern') rows.push(row('swap', 'fail', `on (${facts.swaps.join(', ')}): the kubelet refuses to start`, 'swapoff -a, and remove the swap line from /etc/fstab'));
  else rows.push(row('swap', 'warn', `on (${facts.swaps.join(', ')})`, 'swapoff -a, and remove the swap line from /etc/fstab'));

  if (needs.bridgeNetfilter) {
    const b = facts.brNetfilter;
    if (!b.loaded) rows.push(row('br_netfilter', 'fail', `not loaded: ${k.proxyMode} kube-proxy needs bridged traffic to pass iptables`, 'modprobe br_netfilter (the rendered modules-load.d file loads it at boot)'));
    else if (!b.callIptables) rows.push(row('br_netfilter', 'fail', 'loaded, bridge-nf-call-iptables = 0', 'sysctl -w net.bridge.bridge-nf-call-iptables=1 (the rendered sysctl.d file keeps it)'));
    else rows.push(row('br_netfilter', 'ok', 'loaded, bridge-nf-call-iptables = 1'));
  }

  if (needs.forwarding) {
    if (facts.forwarding) rows.push(row('forwarding', 'ok', 'on'));
    else rows.push(row('forwarding', 'warn', 'off: apply turns it on', 'none needed: apply writes the sysctl and sets it (now: sysctl -w net.ipv4.ip_forward=1)'));
  }

  for (const p of needs.ports) {
    const held = facts.listeners.filter((l) => l.port === p.port);
    const own = comm(basename(p.binary));
    const others = held.flatMap((l) => l.processes).filter((x) => x.name !== own);
    const name = `port ${p.port}`;
    if (!held.length) rows.push(row(name, 'ok', `free (${p.unit})`));
    else if (!others.length && held.some((l) => l.processes.length)) rows.push(row(name, 'ok', `held by ${own} (${p.unit} is running)`));
    else if (!others.length) rows.push(row(name, 'warn', `held by a process ss cannot name (${p.unit} needs it)`, `ss -ltnp 'sport = :${p.port}' on ${host}`));
    else rows.push(row(name, 'fail', `held by ${others.map((x) => `${x.name} (pid ${x.pid})`).join(', ')}: ${p.unit} needs it`, `stop ${others.map((x) => x.name).join(', ')} on ${host}, or change the port in the lab file`));
  }

  if (needs.docker0 && facts.docker0) {
    const other = facts.docker0.addresses.filter((a) => a !== needs.docker0);
    if (!other.length) rows.push(row('docker0', 'ok', facts.docker0.addresses.join(', ') || 'no address yet'));
    else rows.push(row('docker0', 'warn', `has ${other.join(', ')}, the lab wants ${needs.docker0}`, `apply re-addresses it; if docker made it: systemctl stop docker && ip link delete docker0`));
  }

  if (facts.forwardPolicy === 'DROP') {
    if (needs.forwardChain) rows.push(row('FORWARD policy', 'warn', "DROP (left by docker): labsmith-forward.service accepts the pods' traffic", 'none needed once applied (now: iptables -P FORWARD ACCEPT)'));
    else if (needs.forwarding) rows.push(row('FORWARD policy', 'fail', 'DROP (left by docker): routed traffic is dropped', `iptables -P FORWARD ACCEPT on ${host}, and docker's "iptables": false`));
  } else if (facts.forwardPolicy) rows.push(row('FORWARD policy', 'ok', facts.forwardPolicy));

  for (const b of needs.binaries) rows.push(binaryRow(host, b, facts.binaries.get(b.path)));

  if (needs.kubelet && before125(k.release, k.dialect)) {
    if (facts.cgroupFs === 'cgroup2fs') rows.push(row('cgroup', 'fail', `cgroup v2 only: the kubelet of Kubernetes ${k.version} (before 1.25) does not run on it`, 'boot with systemd.unified_cgroup_hierarchy=0, or use Kubernetes >= 1.25'));
    else rows.push(row('cgroup', 'ok', `${facts.cgroupFs || 'unknown'} (not cgroup v2 only)`));
  }
  return rows;
}

function binaryRow(host: string, b: { path: string; unit: string }, fact: BinaryFact | undefined): PreflightRow {
  const check = basename(b.path);
  if (!fact || fact.state === 'missing') return { host, check, status: 'fail', detail: `${b.path} missing (${b.unit})`, fix: `install ${check} at ${b.path} on ${host}` };
  if (fact.state === 'noexec') return { host, check, status: 'fail', detail: `${b.path} is not executable`, fix: `chmod 0755 ${b.path} on ${host}` };
  // Matching the version against the lab's belongs to the artifacts work: reported here only.
  return { host, check, status: 'ok', detail: `present${fact.version ? `: ${fact.version}` : ''}` };
}

const before125 = (release: [number, number], dialect: string) => dialect === 'legacy' || release[0] < 1 || (release[0] === 1 && release[1] < 25);

/** One host's clock reading: the host's time and this machine's clock around the command. */
export interface ClockSample {
  host: string;
  remote: number;
  sentAt: number;
  receivedAt: number;
}

/** Skew over this limit fails: certificates and leases go wrong before it. */
export const MAX_SKEW_S = 2;

/** Each host against this machine's clock. The host read its clock somewhere within the
 * round trip, so only the distance outside [sentAt, receivedAt] is certain skew. */
export function clockRows(samples: ClockSample[]): PreflightRow[] {
  const rows = samples.map((s): PreflightRow => {
    const skew = s.remote < s.sentAt ? s.remote - s.sentAt : s.remote > s.receivedAt ? s.remote - s.receivedAt : 0;
    const rtt = s.receivedAt - s.sentAt;
    const detail = `${skew === 0 ? 'within' : `${skew > 0 ? '+' : ''}${skew.toFixed(2)} s off`} this machine's clock (round trip ${rtt.toFixed(2)} s)`;
    if (Math.abs(skew) > MAX_SKEW_S) return { host: s.host, check: 'clock', status: 'fail', detail, fix: `sync ${s.host}'s clock (chrony or systemd-timesyncd)` };
    return { host: s.host, check: 'clock', status: 'ok', detail };
  });
  // Across hosts: two hosts each within the limit of this machine may still be apart.
  if (samples.length > 1) {
    const lo = Math.max(...samples.map((s) => s.remote - s.receivedAt));
    const hi = Math.min(...samples.map((s) => s.remote - s.sentAt));
    const spread = lo - hi;
    if (spread > MAX_SKEW_S) rows.push({ host: '(lab)', check: 'clock', status: 'fail', detail: `hosts' clocks at least ${spread.toFixed(2)} s apart`, fix: 'sync every host to one time source' });
  }
  return rows;
}

/** ss names a process by its comm: the binary's name cut to 15 characters. */
const comm = (name: string) => name.slice(0, 15);
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
