// IPv4 helpers: 32-bit numbers for the checks, sorting and allocation that must stay fast at
// 10,000 nodes, and ip-num for what a well-formed address is and the precise complaint when
// one is not. ip-num is loaded only when a value fails the quick check (it costs more to load
// than validating the classic lab does).
import { lazyRequire } from '../core/lazy.js';
import type { Prefix } from './types.js';

const ipNum = lazyRequire<typeof import('ip-num')>('ip-num');
const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string };

export function parseAddress(text: string): Parsed<number> {
  if (DOTTED.test(text)) return { ok: true, value: toNumber(text) };
  const [valid] = ipNum().Validator.isValidIPv4String(text);
  if (!valid) return { ok: false, message: `${text} is not a valid IPv4 address (each part must be 0-255)` };
  // ip-num accepts forms the quick check does not (leading zeros): take its reading.
  return { ok: true, value: Number(ipNum().IPv4.fromDecimalDottedString(text).getValue()) };
}

export function parsePrefix(text: string): Parsed<Prefix> {
  const slash = text.indexOf('/');
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (slash > 0 && DOTTED.test(address) && /^(3[0-2]|[12]?\d)$/.test(lengthText)) {
    const length = Number(lengthText);
    const network = fromNumber(toNumber(address) & maskOf(length));
    if (network !== address) return { ok: false, message: `${text} has host bits set`, hint: `did you mean ${network}/${length}?` };
    return { ok: true, value: makePrefix(network, length) };
  }
  const { Validator, IPv4CidrRange } = ipNum();
  const [valid] = Validator.isValidIPv4CidrNotation(text);
  if (!valid) return { ok: false, message: `${text} is not a valid IPv4 prefix (address parts 0-255, length 0-32)` };
  const range = IPv4CidrRange.fromCidr(text);
  const network = range.getFirst().toString();
  const length = Number(range.getPrefix().getValue());
  if (network !== text.split('/')[0]) {
    return { ok: false, message: `${text} has host bits set`, hint: `did you mean ${network}/${length}?` };
  }
  return { ok: true, value: makePrefix(network, length) };
}

/** The netmask of a prefix length as a 32-bit number (0 for /0). */
const maskOf = (length: number): number => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

// 33 possible masks, computed once: a 10,000-node plan makes a prefix per node.
const MASKS = Array.from({ length: 33 }, (_, length) => {
  const mask = maskOf(length);
  return { netmask: fromNumber(mask), wildcard: fromNumber(~mask >>> 0) };
});

export function makePrefix(network: string, length: number): Prefix {
  const { netmask, wildcard } = MASKS[length]!;
  return { cidr: `${network}/${length}`, network, length, netmask, wildcard };
}

export function toNumber(address: string): number {
  const p = address.split('.');
  return ((Number(p[0]) << 24) >>> 0) + (Number(p[1]) << 16) + (Number(p[2]) << 8) + Number(p[3]);
}

export function fromNumber(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function size(length: number): number {
  return 2 ** (32 - length);
}

/** First and last address of a prefix, as numbers. */
export function bounds(p: Prefix): [number, number] {
  const start = toNumber(p.network);
  return [start, start + size(p.length) - 1];
}

export function contains(p: Prefix, address: number): boolean {
  const [a, b] = bounds(p);
  return address >= a && address <= b;
}

export function prefixInside(inner: Prefix, outer: Prefix): boolean {
  const [a, b] = bounds(inner);
  const [c, d] = bounds(outer);
  return a >= c && b <= d;
}

export function overlaps(x: Prefix, y: Prefix): boolean {
  const [a, b] = bounds(x);
  const [c, d] = bounds(y);
  return a <= d && c <= b;
}

/** The address n places after the network address ("10.10.10.0/24", 1 -> "10.10.10.1"). */
export function nth(p: Prefix, n: number): string {
  return fromNumber(toNumber(p.network) + n);
}

/** A finder for the prefix that holds an address, by binary search over prefixes that do not
 * overlap (the lab's segments). */
export function prefixFinder<T>(items: readonly T[], prefixOf: (item: T) => Prefix): (address: number) => T | undefined {
  const sorted = [...items].sort((a, b) => toNumber(prefixOf(a).network) - toNumber(prefixOf(b).network));
  return (addr) => {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = bounds(prefixOf(sorted[mid]!));
      if (addr < a) hi = mid - 1;
      else if (addr > b) lo = mid + 1;
      else return sorted[mid];
    }
    return undefined;
  };
}
