// Pure parsers for what verify's remote commands print, tested on captured real output.
import { parseNetFacts, type NetFacts } from '../hosts/net-facts.js';
import { splitSections } from '../remote/sections.js';

export class VerifyParseError extends Error {}

export interface PodState {
  netns: string;
  status: 'ok' | 'made' | 'removed' | 'error';
  message?: string;
}

export interface ListenerState {
  status: 'kept' | 'started' | 'none' | 'nopython' | 'error';
  pid?: number;
  message?: string;
}

export interface NodeFacts extends NetFacts {
  /** Only when the node has probe pods. */
  pods?: PodState[];
  listener?: ListenerState;
}

export interface TableRoute {
  /** "10.10.10.0/24"; "0.0.0.0/0" for the default route. */
  prefix: string;
  nexthops: string[];
  /** In the forwarding table (FRR: selected and installed). */
  installed: boolean;
  protocol: string;
}

export interface RouterFacts {
  forwarding: boolean;
  routes: TableRoute[];
}

export type ProbeOutcome =
  | { ok: true; rttMs: number; /** What the far side said (labsmith's listener: the address it saw). */ answer?: string }
  | { ok: false; reason: string; detail?: string };

export interface ProbeOutput {
  results: Map<number, ProbeOutcome>;
  /** The prober printed @done: every probe has an outcome. */
  complete: boolean;
  /** python3 is not installed on the host. */
  noPython: boolean;
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);

function json<T>(text: string, what: string): T {
  try {
    return JSON.parse(text.trim() || '[]') as T;
  } catch {
    throw new VerifyParseError(`${what}: not JSON: ${text.trim().slice(0, 120)}`);
  }
}

function need(s: Map<string, string>, names: string[]): void {
  for (const n of names) if (!s.has(n)) throw new VerifyParseError(`no @${n} section in the output (the command was cut short?)`);
}

export function parseNodeFacts(output: string): NodeFacts {
  const s = splitSections(output);
  let facts: NodeFacts;
  try {
    facts = parseNetFacts(s);
  } catch (err) {
    throw new VerifyParseError((err as Error).message);
  }
  need(s, ['end']);
  if (s.has('pods')) {
    facts.pods = lines(s.get('pods')!).flatMap((l): PodState[] => {
      const m = /^pod (\S+) (ok|made|removed|error)(?: (.*))?$/.exec(l);
      if (!m) return [];
      return [{ netns: m[1]!, status: m[2] as PodState['status'], ...(m[3] ? { message: m[3].trim() } : {}) }];
    });
  }
  if (s.has('listener')) facts.listener = parseListener(s.get('listener')!);
  return facts;
}

function parseListener(text: string): ListenerState {
  const all = lines(text);
  for (const l of all) {
    const m = /^listener (kept|started) (\d+)$/.exec(l);
    if (m) return { status: m[1] as 'kept' | 'started', pid: Number(m[2]) };
    if (l === 'listener none') return { status: 'none' };
    if (l === 'listener nopython') return { status: 'nopython' };
    const e = /^listener error (.*)$/.exec(l);
    if (e) return { status: 'error', message: e[1]! };
  }
  return { status: 'error', message: all.join(' | ').slice(0, 300) || 'the listener said nothing' };
}

/** FRR `show ip route json`: { prefix: [entry, ...] }. */
interface FrrEntry {
  prefix: string;
  protocol: string;
  selected?: boolean;
  installed?: boolean;
  nexthops?: { ip?: string; active?: boolean; fib?: boolean; interfaceName?: string }[];
}

/** Linux `ip -j route show`: [{ dst, gateway?, nexthops?, protocol? }]. */
interface LinuxRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  nexthops?: { gateway?: string }[];
}

export function parseRouterFacts(platform: 'frr' | 'linux', output: string): RouterFacts {
  const s = splitSections(output);
  if (s.has('error')) throw new VerifyParseError(`reading the routing table failed: ${s.get('error')!.trim()}`);
  need(s, ['forwarding', 'routes', 'end']);
  const text = s.get('routes')!;
  return { forwarding: s.get('forwarding')!.trim() === '1', routes: platform === 'frr' ? frrRoutes(text) : linuxRoutes(text) };
}

export function frrRoutes(text: string): TableRoute[] {
  const table = json<Record<string, FrrEntry[]>>(text.trim() || '{}', 'vtysh show ip route json');
  const out: TableRoute[] = [];
  for (const [prefix, entries] of Object.entries(table)) {
    for (const e of entries) {
      const hops = (e.nexthops ?? []).filter((h) => h.ip).map((h) => h.ip!);
      out.push({ prefix: e.prefix ?? prefix, nexthops: hops, installed: Boolean(e.selected && e.installed), protocol: e.protocol });
    }
  }
  return out;
}

export function linuxRoutes(text: string): TableRoute[] {
  const routes = json<LinuxRoute[]>(text, 'ip -j route');
  return routes.map((r) => ({
    prefix: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`,
    nexthops: r.gateway ? [r.gateway] : (r.nexthops ?? []).filter((h) => h.gateway).map((h) => h.gateway!),
    installed: true,
    protocol: r.protocol ?? 'boot',
  }));
}

/** The prober's lines: `P <i> ok <rtt> <answer|->` / `P <i> fail <reason> [detail]`, then @done. */
export function parseProbeOutput(output: string): ProbeOutput {
  const results = new Map<number, ProbeOutcome>();
  let complete = false;
  let noPython = false;
  for (const line of output.split('\n')) {
    if (line === '@done') complete = true;
    else if (line === '@nopython') noPython = true;
    const ok = /^P (\d+) ok (\d+(?:\.\d+)?) (\S+)$/.exec(line);
    if (ok) {
      results.set(Number(ok[1]), { ok: true, rttMs: Number(ok[2]), ...(ok[3] !== '-' ? { answer: ok[3]! } : {}) });
      continue;
    }
    const fail = /^P (\d+) fail (\S+)(?: (.*))?$/.exec(line);
    if (fail) results.set(Number(fail[1]), { ok: false, reason: fail[2]!, ...(fail[3] ? { detail: fail[3] } : {}) });
  }
  return { results, complete, noPython };
}

export interface CleanupOutput {
  removed: string[];
  listenerStopped: boolean;
}

export function parseCleanup(output: string): CleanupOutput {
  const all = lines(output);
  return {
    removed: all.flatMap((l) => /^removed (\S+)$/.exec(l)?.[1] ?? []),
    listenerStopped: all.some((l) => l.startsWith('stopped listener')),
  };
}
