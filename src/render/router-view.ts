// The view model of the switch's route configuration: one entry per MLS route (pod CIDR via
// its node), with every notation a platform may want precomputed, and the header lines.
// The service range is never routed: nothing here reads it.
import type { Lab } from '../lab/types.js';
import type { Platform } from '../lab/schema.js';
import { headerFor } from './host-view.js';
import { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO, ROUTE_COMMENT_PREFIX } from './ownership.js';

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
}

export interface RouterView {
  /** The comment header of a route configuration, one line each, without comment syntax. */
  headerLines: string[];
  /** The one-line header other files on the router (sysctl) carry, as on the nodes. */
  header: string;
  lab: { name: string };
  router: { name: string; address: string; platform: Platform };
  routes: RouteView[];
  frrTag: number;
  linuxProto: number;
  /** The FRR tag is reused as the Junos route tag. */
  junosTag: number;
}

export function routerView(lab: Lab, platform: Platform): RouterView {
  return {
    headerLines: [
      `labsmith: static routes of lab ${lab.name} for ${lab.router.name} (${platform}): each node's docker0 subnet via the node`,
      headerFor(lab),
    ],
    header: headerFor(lab),
    lab: { name: lab.name },
    router: { name: lab.router.name, address: lab.router.address, platform },
    routes: lab.router.routes.map((r) => ({
      cidr: r.prefix.cidr,
      network: r.prefix.network,
      netmask: r.prefix.netmask,
      via: r.via,
      node: r.node,
      segment: r.segment,
      comment: `${ROUTE_COMMENT_PREFIX} ${r.node}`,
    })),
    frrTag: FRR_ROUTE_TAG,
    linuxProto: LINUX_ROUTE_PROTO,
    junosTag: FRR_ROUTE_TAG,
  };
}
