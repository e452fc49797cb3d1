// The switch's running route table against the lab: read, compare, converge. labsmith owns
// the routes carrying its mark (FRR tag, Linux route protocol, VyOS description) and never
// touches others. One driver per platform lives in switch/.
import type { PushPlatform } from '../hosts/router-platform.js';
import type { MlsRoute } from '../lab/types.js';
import { frrDriver } from './switch/frr.js';
import { linuxDriver } from './switch/linux.js';
import type { OwnedRoute, RouteChange, SwitchDriver } from './switch/types.js';
import { vyosDriver } from './switch/vyos.js';

export type { OwnedRoute, PushPlatform, RouteChange };

export const DRIVERS: Record<PushPlatform, SwitchDriver> = { frr: frrDriver, linux: linuxDriver, vyos: vyosDriver };

/** The constant remote script section that prints the running routes labsmith owns. */
export function routeFactsScript(platform: PushPlatform): string {
  return DRIVERS[platform].factsScript;
}

export function parseOwnedRoutes(platform: PushPlatform, section: string): OwnedRoute[] {
  return DRIVERS[platform].parseOwned(section);
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
  return DRIVERS[platform].commands(changes, owned);
}

export function describeRouteChange(c: RouteChange): string {
  if (c.action === 'add') return `add route ${c.prefix} via ${c.via}${c.node ? ` (${c.node})` : ''}`;
  if (c.action === 'replace') return `route ${c.prefix} via ${c.via}${c.node ? ` (${c.node})` : ''}, was via ${c.was}`;
  return `remove route ${c.prefix} via ${c.via} (no longer in the lab)`;
}
