// The switch's running route table against the lab: read, compare, converge. labsmith owns
// the routes carrying its mark (FRR tag, Linux route protocol) and never touches others.
import type { Lab, MlsRoute } from '../lab/types.js';
import { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO } from '../render/index.js';

export type PushPlatform = 'frr' | 'linux';

export interface OwnedRoute {
  prefix: string;
  via: string;
}

export interface RouteChange {
  action: 'add' | 'replace' | 'remove';
  prefix: string;
  via: string;
  /** The next hop it replaces. */
  was?: string;
  node?: string;
}

/** The constant remote script section that prints the running routes labsmith owns. */
export function routeFactsScript(platform: PushPlatform): string {
  return platform === 'frr' ? 'echo "@routes"; vtysh -c "show running-config"' : `echo "@routes"; ip -j route show proto ${LINUX_ROUTE_PROTO}`;
}

export function parseOwnedRoutes(platform: PushPlatform, section: string): OwnedRoute[] {
  if (platform === 'linux') {
    const text = section.trim();
    const routes = text ? (JSON.parse(text) as { dst: string; gateway?: string }[]) : [];
    return routes.filter((r) => r.gateway).map((r) => ({ prefix: r.dst.includes('/') ? r.dst : `${r.dst}/32`, via: r.gateway! }));
  }
  const owned: OwnedRoute[] = [];
  const mark = new RegExp(`\\stag ${FRR_ROUTE_TAG}(\\s|$)`);
  for (const line of section.split('\n')) {
    const m = /^ip route (\S+) (\S+)(.*)$/.exec(line.trim());
    if (m && mark.test(` ${m[3]}`)) owned.push({ prefix: m[1]!, via: m[2]! });
  }
  return owned;
}

/** Adds what is missing, replaces wrong next hops, removes owned routes the lab no longer has. */
export function diffRoutes(wanted: readonly MlsRoute[], owned: readonly OwnedRoute[]): RouteChange[] {
  const have = new Map<string, string[]>();
  for (const r of owned) have.set(r.prefix, [...(have.get(r.prefix) ?? []), r.via]);
  const changes: RouteChange[] = [];
  const wantedPrefixes = new Set<string>();
  for (const w of wanted) {
    wantedPrefixes.add(w.prefix.cidr);
    const hops = have.get(w.prefix.cidr) ?? [];
    if (hops.length === 1 && hops[0] === w.via) continue;
    if (!hops.length) changes.push({ action: 'add', prefix: w.prefix.cidr, via: w.via, node: w.node });
    else {
      const wrong = hops.filter((h) => h !== w.via);
      changes.push({ action: 'replace', prefix: w.prefix.cidr, via: w.via, was: wrong.join(','), node: w.node });
    }
  }
  for (const r of owned) if (!wantedPrefixes.has(r.prefix)) changes.push({ action: 'remove', prefix: r.prefix, via: r.via });
  return changes;
}

/** argv lists that carry the changes out, in order. */
export function routeCommands(platform: PushPlatform, changes: readonly RouteChange[], owned: readonly OwnedRoute[]): string[][] {
  if (!changes.length) return [];
  if (platform === 'linux') {
    return changes.map((c) =>
      c.action === 'remove'
        ? ['ip', 'route', 'del', c.prefix, 'via', c.via, 'proto', String(LINUX_ROUTE_PROTO)]
        : ['ip', 'route', 'replace', c.prefix, 'via', c.via, 'proto', String(LINUX_ROUTE_PROTO)],
    );
  }
  // FRR: one vtysh session; a replaced route loses every old next hop labsmith owns first.
  const lines: string[] = [];
  for (const c of changes) {
    const stale = c.action === 'add' ? [] : owned.filter((o) => o.prefix === c.prefix && (c.action === 'remove' || o.via !== c.via));
    for (const o of stale) lines.push(`no ip route ${o.prefix} ${o.via} tag ${FRR_ROUTE_TAG}`);
    if (c.action !== 'remove') lines.push(`ip route ${c.prefix} ${c.via} tag ${FRR_ROUTE_TAG}`);
  }
  return [['vtysh', '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l]), '-c', 'end', '-c', 'write memory']];
}

/** The platform apply pushes to, or undefined when the config must be pasted by hand. The
 * emulated MLS always runs FRR, whatever platform the real switch has. */
export function pushPlatform(lab: Lab, emulated: boolean): PushPlatform | undefined {
  const p = lab.router.platform;
  if (p === 'frr' || p === 'linux') return p;
  return emulated ? 'frr' : undefined;
}

export function describeRouteChange(c: RouteChange): string {
  if (c.action === 'add') return `add route ${c.prefix} via ${c.via}${c.node ? ` (${c.node})` : ''}`;
  if (c.action === 'replace') return `route ${c.prefix} via ${c.via}${c.node ? ` (${c.node})` : ''}, was via ${c.was}`;
  return `remove route ${c.prefix} via ${c.via} (no longer in the lab)`;
}
