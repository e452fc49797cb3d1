// What a saved configuration says about the switch's static routes: the file handed to
// `labsmith routes --against FILE` (labsmith's previous rendering, or a capture of the
// device's running configuration) read into the routes it leaves configured. The parsers
// replay the file in order over an empty table, so a rendering's own removal lines count.
import { fromNumber, toNumber } from '../../lab/ip.js';

export interface CapturedRoute {
  /** "10.10.10.0/24", the network address and length as the device keys it. */
  prefix: string;
  /** The next hop, a dotted IPv4 address. */
  via: string;
  /** It carries labsmith's mark (tag, name, description, comment or route protocol). */
  owned: boolean;
}

export interface Capture {
  /** The static routes of the default table the file leaves configured, in file order. */
  routes: CapturedRoute[];
  /** How many lines read as this platform's configuration; 0: the file is not one. */
  recognised: number;
  /** Lines of another platform's route syntax (IOS masks in an NX-OS file, ...). */
  misfits: number;
  /** Set when the file is a labsmith rendering: the platform its header names. */
  renderedFor?: string;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function isAddress(text: string | undefined): text is string {
  return text !== undefined && IPV4.test(text);
}

/** "10.10.10.0/24" -> the canonical prefix (host bits cleared), or undefined. A bare address
 * is a /32, as `ip route show` prints it. */
export function canonicalPrefix(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const [addr, len, ...more] = text.split('/');
  if (more.length || !isAddress(addr)) return undefined;
  if (len !== undefined && !/^(3[0-2]|[12]?\d)$/.test(len)) return undefined;
  const length = len === undefined ? 32 : Number(len);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return `${fromNumber((toNumber(addr) & mask) >>> 0)}/${length}`;
}

/** "255.255.255.0" -> 24; undefined for a mask whose ones are not contiguous. */
export function maskLength(mask: string | undefined): number | undefined {
  if (!isAddress(mask)) return undefined;
  const n = toNumber(mask);
  const length = 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(length) ? length : undefined;
}

/** A route table in the making, keyed by prefix and next hop as every platform keys it. */
export class RouteTable {
  private readonly rows = new Map<string, CapturedRoute>();

  add(prefix: string, via: string, owned: boolean): void {
    const key = `${prefix} ${via}`;
    const had = this.rows.get(key);
    // Re-entering a route on IOS/NX-OS/EOS/FRR changes its attributes: the last word wins.
    this.rows.set(key, { prefix, via, owned: owned || (had?.owned ?? false) });
  }

  /** Without a next hop: every route of the prefix (`no ip route P M` on IOS). */
  remove(prefix: string, via?: string, ownedOnly = false): void {
    for (const [key, r] of this.rows) {
      if (r.prefix === prefix && (via === undefined || r.via === via) && (!ownedOnly || r.owned)) this.rows.delete(key);
    }
  }

  removeOwned(): void {
    for (const [key, r] of this.rows) if (r.owned) this.rows.delete(key);
  }

  list(): CapturedRoute[] {
    return [...this.rows.values()];
  }
}

/** Lines of a capture as typed at a terminal: CR, pager prompts and colour codes removed. */
export function captureLines(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/ ?-+ ?[Mm]ore ?-+ ?[\b ]*/g, '')
    .replace(/[^\n]\x08/g, '')
    .split(/\r?\n|\r/);
}

/** The header line every labsmith rendering starts with names its platform. */
const HEADER = /labsmith: static routes of lab \S+ for \S+ \(([a-z]+)\)/;

export function renderedPlatform(lines: readonly string[]): string | undefined {
  for (const line of lines.slice(0, 10)) {
    const m = HEADER.exec(line);
    if (m && /^\s*(!|#)/.test(line)) return m[1];
  }
  return undefined;
}
