// Set-command configurations: Junos (`show configuration | display set`) and VyOS
// (`show configuration commands`), and labsmith's renderings of them. Both key a static
// route by its prefix and hold the next hops as a list under it; the mark (a Junos tag, a
// VyOS description) sits on the route, so every next hop of a marked route is labsmith's.
import { ROUTE_COMMENT_PREFIX, ROUTE_TAG } from '../ownership.js';
import { canonicalPrefix, isAddress, type Capture } from './captured.js';

interface Dialect {
  /** The words before the prefix: "routing-options static route". */
  path: string[];
  /** The leaf that marks a route as labsmith's, and whether a value is the mark. */
  markLeaf: string;
  isMark(value: string): boolean;
  /** `set`/`delete` lines (or others) that show the file is this platform's. */
  structure: RegExp;
}

const DIALECTS: Record<'junos' | 'vyos', Dialect> = {
  junos: {
    path: ['routing-options', 'static', 'route'],
    markLeaf: 'tag',
    isMark: (v) => v === String(ROUTE_TAG),
    structure: /^(## Last (commit|changed)|(set|delete|deactivate|activate) (version|routing-options|chassis|policy-options|routing-instances|logical-systems|interfaces \S+ unit|system root-authentication)\b|commit\b)/,
  },
  vyos: {
    path: ['protocols', 'static', 'route'],
    markLeaf: 'description',
    isMark: (v) => v.startsWith(ROUTE_COMMENT_PREFIX),
    structure: /^((set|delete) (protocols static|interfaces (ethernet|loopback|bonding|bridge|dummy|wireguard|vxlan|pppoe|tunnel) |service \S|system (config-management|console device|syslog))|source \/opt\/vyatta\/etc\/functions\/script-template|configure$|commit$|save$)/,
  },
};

interface RouteNode {
  hops: string[];
  mark?: string;
}

/** Splits a set line into words, dropping VyOS's single quotes and Junos's double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.trim().matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function parseSetTree(lines: readonly string[], platform: 'junos' | 'vyos'): Capture {
  const d = DIALECTS[platform];
  const nodes = new Map<string, RouteNode>();
  let recognised = 0;
  for (const line of lines) {
    const w = words(line);
    const verb = w[0];
    const onPath = (verb === 'set' || verb === 'delete') && d.path.every((p, i) => w[i + 1] === p);
    if (!onPath) {
      if (d.structure.test(line.trim())) recognised++;
      continue;
    }
    const at = d.path.length + 1;
    const prefix = canonicalPrefix(w[at]);
    if (!prefix) continue;
    recognised++;
    const leaf = w[at + 1];
    const value = w[at + 2];
    const node = nodes.get(prefix) ?? { hops: [] };
    if (verb === 'set') {
      if (leaf === 'next-hop' && isAddress(value) && !node.hops.includes(value)) node.hops.push(value);
      else if (leaf === d.markLeaf && value !== undefined) node.mark = value;
      nodes.set(prefix, node);
    } else if (leaf === undefined) {
      nodes.delete(prefix);
    } else if (leaf === 'next-hop') {
      node.hops = value === undefined ? [] : node.hops.filter((h) => h !== value);
    } else if (leaf === d.markLeaf) {
      delete node.mark;
    }
  }
  const routes = [];
  for (const [prefix, node] of nodes) {
    const owned = node.mark !== undefined && d.isMark(node.mark);
    for (const via of node.hops) routes.push({ prefix, via, owned });
  }
  return { routes, recognised, misfits: 0 };
}
