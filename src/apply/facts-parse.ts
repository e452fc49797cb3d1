// A pure parser for the facts command's output, tested on captured real output: the shared
// network facts, plus the managed files and leftover temporary files.
import { FactsParseError, parseNetFacts, requireSections, type NetFacts } from '../hosts/net-facts.js';
import { splitSections } from '../remote/sections.js';

export { FactsParseError };

export interface FileFact {
  sha256: string;
  /** Octal permission bits as stat prints them, e.g. "644". */
  mode: string;
  owner: string;
  group: string;
}

export interface NodeFacts extends NetFacts {
  /** Managed files present on the host; an absent path is missing. */
  files: Map<string, FileFact>;
  /** Leftover temporary files of a killed upload. */
  temps: string[];
}

export function parseNodeFacts(output: string): NodeFacts {
  const sections = splitSections(output);
  const net = parseNetFacts(sections);
  requireSections(sections, ['files', 'stat', 'temps', 'end']);
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
  return { ...net, files, temps: lines(sections.get('temps')!) };
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}
