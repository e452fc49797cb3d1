// A pure parser for the facts command's output, tested on captured real output.
import { splitSections } from '../remote/sections.js';

export interface FileFact {
  sha256: string;
  /** Octal permission bits as stat prints them, e.g. "644". */
  mode: string;
  owner: string;
  group: string;
}

export interface NodeFacts {
  /** Managed files present on the host; an absent path is missing. */
  files: Map<string, FileFact>;
  docker0?: { up: boolean; addresses: string[] };
  forwarding: boolean;
  /** The default route's gateway, if any. */
  defaultGateway?: string;
  systemd: boolean;
  /** Leftover temporary files of a killed upload. */
  temps: string[];
}

export class FactsParseError extends Error {}

export function parseNodeFacts(output: string): NodeFacts {
  const sections = splitSections(output);
  for (const name of ['files', 'stat', 'docker0', 'forwarding', 'default', 'systemd', 'temps', 'end']) {
    if (!sections.has(name)) throw new FactsParseError(`facts output has no @${name} section (the command was cut short?)`);
  }
  const hashes = new Map<string, string>();
  for (const line of lines(sections.get('files')!)) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) hashes.set(m[2]!, m[1]!);
  }
  const files = new Map<string, FileFact>();
  for (const line of lines(sections.get('stat')!)) {
    const m = /^([0-7]+) (\S+) (\S+) (.+)$/.exec(line);
    if (!m) continue;
    const sha256 = hashes.get(m[4]!);
    if (sha256) files.set(m[4]!, { sha256, mode: m[1]!, owner: m[2]!, group: m[3]! });
  }
  const links = json<{ flags?: string[]; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(sections.get('docker0')!, 'docker0');
  const link = links[0];
  const docker0 = link
    ? {
        up: (link.flags ?? []).includes('UP'),
        addresses: (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      }
    : undefined;
  const routes = json<{ dst: string; gateway?: string }[]>(sections.get('default')!, 'default route');
  const gateway = routes.find((r) => r.dst === 'default' && r.gateway)?.gateway;
  return {
    files,
    ...(docker0 ? { docker0 } : {}),
    forwarding: sections.get('forwarding')!.trim() === '1',
    ...(gateway ? { defaultGateway: gateway } : {}),
    systemd: sections.get('systemd')!.trim() === 'yes',
    temps: lines(sections.get('temps')!),
  };
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

function json<T>(text: string, what: string): T {
  const trimmed = text.trim();
  if (!trimmed) return [] as T;
  try {
    return JSON.parse(trimmed) as T;
  } catch {
    throw new FactsParseError(`facts output: ${what} is not JSON: ${trimmed.slice(0, 80)}`);
  }
}
