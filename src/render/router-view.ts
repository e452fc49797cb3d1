// The view model of the switch's route configuration: one entry per MLS route (pod CIDR via
// its node), with every notation a platform may want precomputed, the header lines, and,
// given the previous configuration (--against), the removals of labsmith's routes the lab
// no longer has. The service range is never routed: nothing here reads it.
import { UsageError } from '../core/errors.js';
import { plural } from '../core/text.js';
import { makePrefix } from '../lab/ip.js';
import type { Lab } from '../lab/types.js';
import type { Platform } from '../lab/schema.js';
import { headerFor } from './host-view.js';
import { LINUX_ROUTE_PROTO, ROUTE_COMMENT_PREFIX, ROUTE_NAME_PREFIX, ROUTE_TAG } from './ownership.js';
import { CAPTURE_COMMANDS, planAgainst, routeKey } from './router/against.js';
import type { Capture } from './router/captured.js';

export interface RouteView {
  /** "10.10.10.0/24" */
  cidr: string;
  /** "10.10.10.0" */
  network: string;
  /** "255.255.255.0" */
  netmask: string;
  /** Next hop: the node's address. */
  via: string;
  node: string;
  segment: string;
  /** "labsmith: kubminion1", for platforms with a free-text comment or description. */
  comment: string;
  /** "labsmith-kubminion1", the route name on IOS, NX-OS and EOS. */
  name: string;
}

/** A route to remove: labsmith's, in the --against file, and no longer in the lab. */
export interface RemovalView {
  cidr: string;
  network: string;
  netmask: string;
  via: string;
}

export interface RoutesOptions {
  /** The previous configuration (--against FILE), as readAgainst read it. */
  against?: { file: string; capture: Capture };
  /** End with the platform's command that saves the running configuration (ios, nxos, eos). */
  save?: boolean;
  /** The file the playbook lays out, rather than the text printed to paste: Junos loads its
   * file with `load set`, which takes set and delete lines only, so the commit stays out. */
  forFile?: boolean;
}

export interface RouterView {
  /** The comment header of a route configuration, one line each, without comment syntax. */
  headerLines: string[];
  /** What re-pasting does, and what --against found; comment lines without syntax. */
  againstLines: string[];
  /** The one-line header other files on the router (sysctl) carry, as on the nodes. */
  header: string;
  lab: { name: string };
  router: { name: string; address: string; platform: Platform };
  routes: RouteView[];
  /** The routes to add: all of them, except on RouterOS against a file that has them. */
  adds: RouteView[];
  /** RouterOS without --against: remove every labsmith route before adding (full replace). */
  replaceAll: boolean;
  /** Every stale route (prefix and next hop). */
  removals: RemovalView[];
  /** Junos and VyOS: stale routes whose prefix the lab no longer routes; the route node goes. */
  removedPrefixes: RemovalView[];
  /** Junos and VyOS: stale next hops of prefixes the lab still routes (a node moved). */
  removedHops: RemovalView[];
  /** ios, nxos, eos with --save: the lines that save the configuration. */
  saveLines: string[];
  /** junos, when printed to paste: the commit. */
  commitLines: string[];
  /** Linux: the case pattern of the lab's prefixes as `ip route show` prints them. */
  linuxKeep: string;
  routeTag: number;
  linuxProto: number;
}

const SAVE_LINES: Partial<Record<Platform, string[]>> = {
  ios: ['end', 'write memory'],
  nxos: ['end', 'copy running-config startup-config'],
  eos: ['end', 'write memory'],
};

/** Renderings that converge by themselves: they remove labsmith's other routes on every run. */
const SELF_CONVERGING: readonly Platform[] = ['linux', 'routeros'];

export function routerView(lab: Lab, platform: Platform, opts: RoutesOptions = {}): RouterView {
  const saveLines = opts.save ? SAVE_LINES[platform] : [];
  if (!saveLines) {
    throw new UsageError(
      `--save is for ios, nxos and eos, not ${platform}`,
      platform === 'frr'
        ? "after `vtysh -f FILE`, run `vtysh -c 'write memory'`"
        : `the ${platform} rendering keeps its routes by itself (${platform === 'linux' ? 'labsmith-routes.service runs it at boot' : platform === 'routeros' ? 'RouterOS keeps what it imports' : 'its commit saves them'})`,
    );
  }
  const routes: RouteView[] = lab.router.routes.map((r) => ({
    cidr: r.prefix.cidr,
    network: r.prefix.network,
    netmask: r.prefix.netmask,
    via: r.via,
    node: r.node,
    segment: r.segment,
    comment: `${ROUTE_COMMENT_PREFIX} ${r.node}`,
    name: `${ROUTE_NAME_PREFIX}${r.node}`,
  }));
  const plan = opts.against ? planAgainst(lab.router.routes, opts.against.capture, opts.against.file) : undefined;
  const removals = (plan?.stale ?? []).map((s): RemovalView => {
    const [network, length] = s.prefix.split('/') as [string, string];
    return { cidr: s.prefix, network, netmask: makePrefix(network, Number(length)).netmask, via: s.via };
  });
  const routed = new Set(routes.map((r) => r.cidr));
  const seen = new Set<string>();
  const removedPrefixes = removals.filter((r) => !routed.has(r.cidr) && !seen.has(r.cidr) && seen.add(r.cidr));
  const removedHops = removals.filter((r) => routed.has(r.cidr));

  let againstLines: string[];
  if (plan) {
    againstLines = [
      `Against ${plan.file}: ${removals.length ? `removes ${plural(removals.length, "labsmith route")} the lab no longer has` : 'nothing of labsmith\'s to remove'}; ${plural(plan.present.size, 'route')} of the lab already there.`,
    ];
  } else if (SELF_CONVERGING.includes(platform)) {
    againstLines = [];
  } else {
    againstLines = [
      "Applied again, this adds what is missing and removes nothing. To remove labsmith's routes the lab no longer has,",
      `render with --against FILE: this output as last pasted, or the switch's \`${CAPTURE_COMMANDS[platform]}\`.`,
    ];
  }
  // RouterOS adds a second, identical route on a second `add`: against a file, add only what
  // it lacks; without one, start from no labsmith routes at all.
  const adds = platform === 'routeros' && plan ? routes.filter((r) => !plan.present.has(routeKey(r.cidr, r.via))) : routes;

  return {
    headerLines: [
      `labsmith: static routes of lab ${lab.name} for ${lab.router.name} (${platform}): each node's docker0 subnet via the node`,
      headerFor(lab),
    ],
    againstLines,
    header: headerFor(lab),
    lab: { name: lab.name },
    router: { name: lab.router.name, address: lab.router.address, platform },
    routes,
    adds,
    replaceAll: !plan,
    removals,
    removedPrefixes,
    removedHops,
    saveLines,
    commitLines: platform === 'junos' && !opts.forFile ? [`commit comment "labsmith: static routes of lab ${lab.name}"`] : [],
    // `ip route show` prints a /32 as a bare address. No route at all: a pattern nothing matches.
    linuxKeep: routes.map((r) => (r.cidr.endsWith('/32') ? r.network : r.cidr)).join('|') || '""',
    routeTag: ROUTE_TAG,
    linuxProto: LINUX_ROUTE_PROTO,
  };
}
