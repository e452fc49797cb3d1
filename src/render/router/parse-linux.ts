// A Linux router's routes: `ip route show` (or `ip -j route show`) output, or labsmith's
// routes.sh. labsmith's routes carry route protocol 44, which `ip route show` prints as
// `proto 44`. Only the main table counts; typed routes (local, blackhole, ...) are not static
// routes via a next hop.
import { LINUX_ROUTE_PROTO } from '../ownership.js';
import { canonicalPrefix, isAddress, RouteTable, type Capture } from './captured.js';

const TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'unreachable', 'blackhole', 'prohibit', 'throw', 'nat']);
const KEYS = new Set(['via', 'dev', 'proto', 'scope', 'src', 'metric', 'table', 'nexthop', 'onlink', 'linkdown', 'pref', 'mtu', 'expires', 'weight']);
const PROTO = String(LINUX_ROUTE_PROTO);
const VERBS = new Set(['add', 'append', 'replace', 'change', 'del', 'delete']);

function destination(word: string | undefined): string | undefined {
  return word === 'default' ? '0.0.0.0/0' : canonicalPrefix(word);
}

/** "key value" pairs of an ip route line after its destination. */
function pairs(words: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < words.length - 1; i++) if (KEYS.has(words[i]!) && !m.has(words[i]!)) m.set(words[i]!, words[i + 1]!);
  return m;
}

interface JsonRoute {
  dst?: string;
  gateway?: string;
  protocol?: string | number;
  table?: string;
  type?: string;
  nexthops?: { gateway?: string }[];
}

function parseJson(text: string): Capture | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const table = new RouteTable();
  let recognised = 0;
  for (const r of data as JsonRoute[]) {
    if (typeof r !== 'object' || r === null || typeof r.dst !== 'string') continue;
    recognised++;
    const prefix = destination(r.dst);
    if (!prefix || (r.table !== undefined && r.table !== 'main') || (r.type !== undefined && r.type !== 'unicast')) continue;
    const owned = String(r.protocol) === PROTO;
    for (const via of [r.gateway, ...(r.nexthops ?? []).map((n) => n.gateway)]) if (isAddress(via)) table.add(prefix, via, owned);
  }
  return { routes: table.list(), recognised, misfits: 0 };
}

export function parseLinuxRoutes(lines: readonly string[]): Capture {
  const text = lines.join('\n').trim();
  if (text.startsWith('[')) {
    const json = parseJson(text);
    if (json) return json;
  }
  const table = new RouteTable();
  let recognised = 0;
  // A multipath route: its head line, then one indented `nexthop via ...` line per hop.
  let head: { prefix: string; owned: boolean } | undefined;
  for (const line of lines) {
    const w = line.trim().split(/\s+/);
    if (/^\s/.test(line) && w[0] === 'nexthop') {
      const via = pairs(w).get('via');
      if (head && isAddress(via)) table.add(head.prefix, via, head.owned);
      if (head) recognised++;
      continue;
    }
    head = undefined;
    if (w[0] === 'ip' && w[1] === 'route') {
      // labsmith's routes.sh: `ip route replace P via NH proto 44`, `ip route del P via NH proto 44`.
      const verb = w[2] ?? '';
      const prefix = destination(w[3]);
      if (!prefix || !VERBS.has(verb)) continue;
      recognised++;
      const kv = pairs(w.slice(4));
      const via = kv.get('via');
      if (verb !== 'del' && verb !== 'delete' && isAddress(via)) {
        // The kernel keys a route on its prefix (and metric): replace and change swap the next hop.
        if (verb === 'replace' || verb === 'change') table.remove(prefix);
        table.add(prefix, via, kv.get('proto') === PROTO);
      } else if (verb === 'del' || verb === 'delete') {
        table.remove(prefix, isAddress(via) ? via : undefined, kv.get('proto') === PROTO);
      }
      continue;
    }
    let words = w;
    if (TYPES.has(words[0]!)) {
      if (words[0] !== 'unicast') {
        if (destination(words[1])) recognised++;
        continue;
      }
      words = words.slice(1);
    }
    const prefix = destination(words[0]);
    const kv = pairs(words.slice(1));
    if (!prefix || (kv.size === 0 && words.length > 1)) continue;
    recognised++;
    const tableName = kv.get('table');
    if (tableName !== undefined && tableName !== 'main' && tableName !== '254') continue;
    const owned = kv.get('proto') === PROTO;
    const via = kv.get('via');
    if (isAddress(via)) table.add(prefix, via, owned);
    else if (words.length === 1 || !kv.has('dev')) head = { prefix, owned };
  }
  return { routes: table.list(), recognised, misfits: 0 };
}
