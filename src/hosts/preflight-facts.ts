// What preflight reads from a node, in one remote command: a constant script printing
// sections, and a pure parser of them, tested on captured real output. The binaries to look
// at travel as positional arguments, so nothing from the lab becomes shell syntax.
import { splitSections } from '../remote/sections.js';
import { NET_FACTS_SCRIPT, parseNetFacts, requireSections, type NetFacts } from './net-facts.js';

export const PREFLIGHT_SCRIPT = [
  // The clock first: the caller brackets the whole command with its own clock.
  'echo "@clock"',
  'date +%s.%N',
  NET_FACTS_SCRIPT.trimEnd(),
  'echo "@osrelease"',
  'cat /etc/os-release 2>/dev/null',
  'echo "@swaps"',
  'cat /proc/swaps 2>/dev/null',
  'echo "@brnf"',
  '[ -d /sys/module/br_netfilter ] && echo "module loaded" || echo "module absent"',
  'echo "sysctl $(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent)"',
  'echo "@forwardpolicy"',
  'iptables -S FORWARD 2>/dev/null | head -n 1',
  'echo "@listen"',
  'ss -Hltnp 2>/dev/null',
  'echo "@cgroup"',
  'stat -fc %T /sys/fs/cgroup 2>/dev/null',
  'echo "@bins"',
  // A tab-separated line per binary: path, state, first line of --version (bounded in time:
  // a binary that ignores --version must not hang preflight or start serving).
  'for b in "$@"; do',
  '  if [ -f "$b" ] && [ -x "$b" ]; then v=$(timeout 3 "$b" --version </dev/null 2>&1 | head -n 1 | tr "\\t" " "); printf "%s\\tok\\t%s\\n" "$b" "$v"',
  '  elif [ -e "$b" ]; then printf "%s\\tnoexec\\t\\n" "$b"',
  '  else printf "%s\\tmissing\\t\\n" "$b"; fi',
  'done',
  'echo "@end"',
].join('\n');

/** argv for RemoteHost.exec: `sh -c SCRIPT labsmith-preflight BINARY...` */
export function preflightCommand(binaries: readonly string[]): string[] {
  return ['sh', '-c', PREFLIGHT_SCRIPT, 'labsmith-preflight', ...binaries];
}

export interface Listener {
  /** "0.0.0.0:10250", "[::]:6443", "127.0.0.1:2379" */
  local: string;
  port: number;
  /** Process names holding it (empty when ss could not tell). */
  processes: { name: string; pid: number }[];
}

export interface BinaryFact {
  state: 'ok' | 'noexec' | 'missing';
  /** First line of `--version` (ok binaries only; may be an error message). */
  version?: string;
}

export interface PreflightFacts extends NetFacts {
  /** Seconds since the epoch on the host's clock. */
  clock: number;
  /** /etc/os-release's ID and VERSION_ID. */
  os: { id?: string; versionId?: string };
  /** Active swap devices and files. */
  swaps: string[];
  brNetfilter: { loaded: boolean; callIptables?: boolean };
  /** The FORWARD chain's policy, when iptables could read it. */
  forwardPolicy?: string;
  listeners: Listener[];
  /** `stat -fc %T /sys/fs/cgroup`: "cgroup2fs", "tmpfs" (v1 or hybrid), ... */
  cgroupFs: string;
  binaries: Map<string, BinaryFact>;
}

export function parsePreflightFacts(output: string): PreflightFacts {
  const sections = splitSections(output);
  const net = parseNetFacts(sections);
  requireSections(sections, ['clock', 'osrelease', 'swaps', 'brnf', 'forwardpolicy', 'listen', 'cgroup', 'bins', 'end']);
  const os: PreflightFacts['os'] = {};
  for (const line of lines(sections.get('osrelease')!)) {
    const m = /^(ID|VERSION_ID)=(.*)$/.exec(line);
    if (m) os[m[1] === 'ID' ? 'id' : 'versionId'] = unquote(m[2]!);
  }
  const brnf = sections.get('brnf')!;
  const call = /^sysctl (\d)$/m.exec(brnf)?.[1];
  const policy = /^-P FORWARD (\S+)$/m.exec(sections.get('forwardpolicy')!)?.[1];
  const binaries = new Map<string, BinaryFact>();
  for (const line of lines(sections.get('bins')!)) {
    const [file, state, version] = line.split('\t');
    if (!file || (state !== 'ok' && state !== 'noexec' && state !== 'missing')) continue;
    binaries.set(file, state === 'ok' ? { state, version: (version ?? '').trim() } : { state });
  }
  return {
    ...net,
    clock: Number(sections.get('clock')!.trim()),
    os,
    // /proc/swaps: a header line, then one line per active swap.
    swaps: lines(sections.get('swaps')!).slice(1).map((l) => l.split(/\s+/)[0]!),
    // The sysctl exists only while br_netfilter is active (loaded, or built into the kernel).
    brNetfilter: { loaded: /^module loaded$/m.test(brnf) || call !== undefined, ...(call ? { callIptables: call === '1' } : {}) },
    ...(policy ? { forwardPolicy: policy } : {}),
    listeners: lines(sections.get('listen')!).flatMap(parseListener),
    cgroupFs: sections.get('cgroup')!.trim(),
    binaries,
  };
}

// `LISTEN 0 4096 0.0.0.0:10250 0.0.0.0:* users:(("kubelet",pid=81,fd=3))`
function parseListener(line: string): Listener[] {
  const fields = line.trim().split(/\s+/);
  const local = fields[3];
  const port = Number(/:(\d+)$/.exec(local ?? '')?.[1]);
  if (!local || !Number.isInteger(port)) return [];
  const processes = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
  return [{ local, port, processes }];
}

/** "centos7", "debian12", "ubuntu22": the lab's OS family names, from os-release. */
export function osFamily(os: PreflightFacts['os']): string | undefined {
  if (!os.id) return undefined;
  const major = (os.versionId ?? '').split('.')[0];
  return `${os.id}${major ?? ''}`;
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().length > 0);
}
