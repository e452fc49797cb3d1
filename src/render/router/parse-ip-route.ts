// `ip route` lines: IOS (network and mask), NX-OS, EOS and FRR (prefix). Read from a
// `show running-config` capture or a labsmith rendering. Only lines at the left margin are
// routes of the default VRF: NX-OS and FRR indent the routes of a `vrf context`/`vrf`
// block, and IOS/EOS spell theirs `ip route vrf NAME ...`.
import { ROUTE_NAME_PREFIX, ROUTE_TAG } from '../ownership.js';
import { canonicalPrefix, isAddress, maskLength, RouteTable, type Capture } from './captured.js';

export type IpRouteForm = 'mask' | 'prefix';

/** Lines that show a file is this platform's running configuration even without routes. */
const STRUCTURE: Record<'ios' | 'nxos' | 'eos' | 'frr', RegExp> = {
  ios: /^(hostname \S|version \d|interface \S|Building configuration|Current configuration|end$|router \S|ip routing$|service \S|boot-(start|end)-marker)/,
  nxos: /^(!Command: show running-config|!Time: |version \d|hostname \S|switchname \S|feature \S|interface \S|vrf context \S)/,
  eos: /^(! Command: show running-config|! device: |hostname \S|interface \S|ip routing$|end$|spanning-tree \S|transceiver \S)/,
  frr: /^(frr version|frr defaults|Building configuration|Current configuration|hostname \S|end$|log \S|service integrated-vtysh-config|interface \S|router \S|line vty)/,
};

interface Parsed {
  removal: boolean;
  prefix: string;
  via?: string;
  owned: boolean;
}

function parseLine(line: string, form: IpRouteForm): Parsed | 'vrf' | undefined {
  const t = line.trim().split(/\s+/);
  const removal = t[0] === 'no';
  if (removal) t.shift();
  if (t[0] !== 'ip' || t[1] !== 'route') return undefined;
  if (t[2] === 'vrf') return 'vrf';
  let prefix: string | undefined;
  let rest: string[];
  if (form === 'mask') {
    const length = maskLength(t[3]);
    prefix = isAddress(t[2]) && length !== undefined ? canonicalPrefix(`${t[2]}/${length}`) : undefined;
    rest = t.slice(4);
  } else {
    prefix = t[2]?.includes('/') ? canonicalPrefix(t[2]) : undefined;
    rest = t.slice(3);
  }
  if (!prefix) return undefined;
  // The next hop follows the prefix, or an interface name (`Ethernet1/1 10.0.0.1`).
  const via = isAddress(rest[0]) ? rest[0] : /^[A-Za-z]/.test(rest[0] ?? '') && isAddress(rest[1]) ? rest[1] : undefined;
  let owned = false;
  for (let i = 0; i < rest.length - 1; i++) {
    if (rest[i] === 'tag' && rest[i + 1] === String(ROUTE_TAG)) owned = true;
    if (rest[i] === 'name' && rest[i + 1]!.startsWith(ROUTE_NAME_PREFIX)) owned = true;
  }
  return { removal, prefix, ...(via ? { via } : {}), owned };
}

export function parseIpRoutes(lines: readonly string[], platform: keyof typeof STRUCTURE): Capture {
  const form: IpRouteForm = platform === 'ios' ? 'mask' : 'prefix';
  const other: IpRouteForm = form === 'mask' ? 'prefix' : 'mask';
  const table = new RouteTable();
  let recognised = 0;
  let misfits = 0;
  for (const line of lines) {
    if (STRUCTURE[platform].test(line)) {
      recognised++;
      continue;
    }
    const p = parseLine(line, form);
    if (p === undefined) {
      if (parseLine(line, other) !== undefined) misfits++;
      continue;
    }
    recognised++;
    if (p === 'vrf' || /^\s/.test(line)) continue;
    if (p.removal) table.remove(p.prefix, p.via);
    else if (p.via) table.add(p.prefix, p.via, p.owned);
  }
  return { routes: table.list(), recognised, misfits };
}
