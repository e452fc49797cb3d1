// Marks that let apply (and a human) recognise the routes labsmith owns on the switch, so
// it can replace or remove them without touching anything else configured there.

/**
 * Route tag on every static route labsmith renders for FRR (`ip route ... tag 4242`);
 * also used as the Junos static route tag. FRR accepts 1-4294967295.
 */
export const FRR_ROUTE_TAG = 4242;

/**
 * Routing protocol number on every route labsmith installs on a Linux router
 * (`ip route replace ... proto 44`). It is not in iproute2's rt_protos, the kernel's RTPROT_*
 * list or FRR's rt_protos.d (which use 0-4, 8-18, 42, 99, 186-197), so
 * `ip route show proto 44` lists exactly labsmith's routes.
 */
export const LINUX_ROUTE_PROTO = 44;

/** Prefix of the comment/description/name labsmith puts on each route where a platform has one. */
export const ROUTE_COMMENT_PREFIX = 'labsmith:';
