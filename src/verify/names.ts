// What verify leaves on a node, by name: everything starts with "lsm" (labsmith) so a human
// and `verify --cleanup` can tell it from the node's own namespaces and links.
import { createHash } from 'node:crypto';
import type { ProbePod } from '../lab/types.js';

/** Every probe pod listens on this TCP port (inside its own namespace) and answers each
 * connection with the address it came from: the pod-to-pod reachability and no-NAT check.
 * Workload pods also listen on their workload's port, so services have endpoints. */
export const PROBE_PORT = 4244;

/** Network namespace of a probe pod on its node: `ip netns list` shows `lsmpod-<pod name>`. */
export const POD_NETNS_PREFIX = 'lsmpod-';
export const podNetns = (pod: Pick<ProbePod, 'name'>): string => `${POD_NETNS_PREFIX}${pod.name}`;

/** Node side of the pod's veth pair (a docker0 port): `lsmv` + 8 hex digits of a hash of the
 * pod's name, 12 characters (Linux allows 15). Inside the pod the other end is eth0. */
export function podVeth(pod: Pick<ProbePod, 'name'>): string {
  return `lsmv${createHash('sha256').update(pod.name).digest('hex').slice(0, 8)}`;
}

/** Where the listener's code, pid file and nothing else live on a node. */
export const VERIFY_RUN_DIR = '/run/labsmith-verify';

/** Per-probe timeout for a connection or an echo reply: a dead target costs at most this. */
export const PROBE_TIMEOUT_MS = 1000;

/** Once connected, how long the far side's listener may take to answer (on a loaded machine
 * it waits for a CPU; the connection itself already proved the path). */
export const ANSWER_TIMEOUT_MS = 3000;
