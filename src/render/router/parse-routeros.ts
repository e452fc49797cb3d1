// RouterOS: `/ip route export` (v6 or v7, long lines continued with a trailing backslash),
// or labsmith's .rsc. labsmith's routes carry a comment starting "labsmith:". Routes in
// another routing table (v7 routing-table, v6 routing-mark) are not the main table's.
import { ROUTE_COMMENT_PREFIX } from '../ownership.js';
import { canonicalPrefix, isAddress, RouteTable, type Capture } from './captured.js';

/** key=value pairs; values may be double-quoted with backslash escapes. */
function attributes(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of text.matchAll(/([a-z][a-z0-9-]*)(=|~)("((?:[^"\\]|\\.)*)"|[^\s\]]*)/g)) {
    m.set(`${a[1]}${a[2] === '~' ? '~' : ''}`, a[4] !== undefined ? a[4].replace(/\\(.)/g, '$1') : a[3]!);
  }
  return m;
}

/** Export lines with their continuations joined. RouterOS wraps long lines with a trailing
 * backslash, between attributes (keeping the space before it) or inside one after "=". */
function logicalLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const line of lines) {
    const joined = pending === undefined ? line : pending + line.trimStart();
    if (/\\$/.test(joined.trimEnd())) pending = joined.trimEnd().slice(0, -1);
    else {
      out.push(joined);
      pending = undefined;
    }
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

function gateways(value: string | undefined): string[] {
  // "10.20.30.62", "10.20.30.62%ether2", or a list "a,b" (v6 ECMP).
  return (value ?? '').split(',').map((g) => g.split('%')[0]!).filter(isAddress);
}

export function parseRouterOsRoutes(lines: readonly string[]): Capture {
  const table = new RouteTable();
  let recognised = 0;
  let menu = '';
  for (const raw of logicalLines(lines)) {
    const line = raw.trim();
    if (/^# .*\bby RouterOS\b|^# software id = /.test(line)) {
      recognised++;
      continue;
    }
    let command = line;
    const path = /^(\/[a-z0-9-]+(?:[ /][a-z0-9-]+)*)(?:\s+(.*))?$/.exec(line);
    if (path) {
      menu = path[1]!.replace(/\//g, ' ').trim();
      recognised++;
      command = path[2] ?? '';
      if (!command) continue;
      // "/ip route add ..." names its menu and a command on one line.
      const words = menu.split(' ');
      const verb = words.pop()!;
      if (['add', 'remove', 'set'].includes(verb)) {
        menu = words.join(' ');
        command = `${verb} ${command}`;
      }
    }
    if (menu !== 'ip route') continue;
    const verb = command.split(/\s+/)[0];
    const attrs = attributes(command.slice(verb?.length ?? 0));
    if (verb === 'add') {
      recognised++;
      if (attrs.has('routing-mark') || (attrs.has('routing-table') && attrs.get('routing-table') !== 'main')) continue;
      const prefix = canonicalPrefix(attrs.get('dst-address') ?? '0.0.0.0/0');
      if (!prefix) continue;
      const owned = (attrs.get('comment') ?? '').startsWith(ROUTE_COMMENT_PREFIX);
      for (const via of gateways(attrs.get('gateway'))) table.add(prefix, via, owned);
    } else if (verb === 'remove' && /\[\s*find\b/.test(command)) {
      recognised++;
      // labsmith's own removals: every route it marked, or one of them.
      const marked = (attrs.get('comment~') ?? '').replace(/^\^/, '').startsWith(ROUTE_COMMENT_PREFIX);
      const prefix = canonicalPrefix(attrs.get('dst-address'));
      if (!marked) continue;
      if (!prefix) table.removeOwned();
      else if (!attrs.has('gateway')) table.remove(prefix, undefined, true);
      else for (const via of gateways(attrs.get('gateway'))) table.remove(prefix, via, true);
    } else if (verb !== undefined && verb !== '') {
      recognised++;
    }
  }
  return { routes: table.list(), recognised, misfits: 0 };
}
