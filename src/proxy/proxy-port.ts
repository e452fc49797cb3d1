// The userspace proxy's listening port. A real kube-proxy lets the kernel pick one (port 0,
// or a random one of --proxy-port-range), so it changes at every restart. labsmith needs the
// same port every time it renders, so that a second apply changes nothing: the port is
// derived from the node and the service port,
//   32768 + (first 4 bytes of sha256("NODE|NS/NAME:PORTNAME/PROTO") as a big-endian u32) mod 28232,
// i.e. inside Linux's default ephemeral range 32768-60999 where the kernel would have picked
// it. Two service ports that land on the same port take the next free one, in the order of
// their names.
import { createHash } from 'node:crypto';

export const PROXY_PORT_FIRST = 32768;
export const PROXY_PORT_LAST = 60999;

export function proxyPortSeed(node: string, key: string): number {
  const digest = createHash('sha256').update(`${node}|${key}`).digest();
  return PROXY_PORT_FIRST + (digest.readUInt32BE(0) % (PROXY_PORT_LAST - PROXY_PORT_FIRST + 1));
}

/** Ports for keys already in their final order. */
export function assignProxyPorts(node: string, keys: readonly string[]): Map<string, number> {
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const key of keys) {
    let port = proxyPortSeed(node, key);
    while (taken.has(port)) port = port === PROXY_PORT_LAST ? PROXY_PORT_FIRST : port + 1;
    taken.add(port);
    out.set(key, port);
  }
  return out;
}
