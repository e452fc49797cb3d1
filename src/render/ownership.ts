// Marks that let apply (and a human) recognise the routes labsmith owns on the switch, so
// it can replace or remove them without touching anything else configured there.

/**
 * Route tag on every static route labsmith renders for a platform that has tags: FRR
 * (`ip route ... tag 4242`, 1-4294967295), IOS, NX-OS and EOS (`... tag 4242`) and Junos
 * (`set routing-options static route P tag 4242`).
 */
export const ROUTE_TAG = 4242;

/** The same tag, under the name the FRR push driver knows it by. */
export const FRR_ROUTE_TAG = ROUTE_TAG;

/**
 * Routing protocol number on every route labsmith installs on a Linux router
 * (`ip route replace ... proto 44`). It is not in iproute2's rt_protos, the kernel's RTPROT_*
 * list or FRR's rt_protos.d (which use 0-4, 8-18, 42, 99, 186-197), so
 * `ip route show proto 44` lists exactly labsmith's routes.
 */
export const LINUX_ROUTE_PROTO = 44;

/** Prefix of the comment/description labsmith puts on each route where a platform has one
 * (VyOS description, RouterOS comment). */
export const ROUTE_COMMENT_PREFIX = 'labsmith:';

/** Prefix of the route name on IOS, NX-OS and EOS (`name labsmith-<node>`), which allow no
 * colon or space in a name. */
export const ROUTE_NAME_PREFIX = 'labsmith-';
