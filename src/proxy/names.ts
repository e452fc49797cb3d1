// Chain names as kube-proxy derives them (pkg/proxy/iptables/proxier.go: portProtoHash and
// servicePortEndpointChainName): base32(sha256(...)) cut to 16 characters. The protocol is
// lower-cased before hashing; the endpoint is net.JoinHostPort(ip, port).
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding) of the first bytes needed for `chars` characters. */
export function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0 && out.length < chars) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function hash16(text: string): string {
  return base32Prefix(createHash('sha256').update(text).digest(), 16);
}

/**
 * ServicePortName.String(): "ns/name:port". Up to 1.18 an unnamed port still gets the colon
 * ("default/db-service:"); from 1.19 fmtPortName("") is "" and the colon goes too.
 */
export function servicePortName(namespace: string, name: string, port: string, trailingColon: boolean): string {
  if (port === '' && !trailingColon) return `${namespace}/${name}`;
  return `${namespace}/${name}:${port}`;
}

/** The 16 characters shared by KUBE-SVC/SVL/EXT/FW/XLB of one service port. */
export function portProtoHash(spn: string, protocol: string): string {
  return hash16(spn + protocol.toLowerCase());
}

export function endpointHash(spn: string, protocol: string, endpoint: string): string {
  return hash16(spn + protocol.toLowerCase() + endpoint);
}

export const svcChain = (spn: string, proto: string) => `KUBE-SVC-${portProtoHash(spn, proto)}`;
export const svlChain = (spn: string, proto: string) => `KUBE-SVL-${portProtoHash(spn, proto)}`;
export const extChain = (spn: string, proto: string) => `KUBE-EXT-${portProtoHash(spn, proto)}`;
export const fwChain = (spn: string, proto: string) => `KUBE-FW-${portProtoHash(spn, proto)}`;
export const xlbChain = (spn: string, proto: string) => `KUBE-XLB-${portProtoHash(spn, proto)}`;
export const sepChain = (spn: string, proto: string, ip: string, port: number) => `KUBE-SEP-${endpointHash(spn, proto, `${ip}:${port}`)}`;
