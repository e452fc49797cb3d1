// ipvs mode's own texts: `ipvsadm-save -n` (also what ipvsadm-restore reads), `ipset save`
// (also what ipset restore reads) and kube-ipvs0's addresses, plus parsers that read them back.
import type { IpsetEntry, IpvsProgram, IpvsVirtualServer } from './types.js';

const flag = (p: 'tcp' | 'udp') => (p === 'tcp' ? '-t' : '-u');

export function formatIpvsadmSave(servers: readonly IpvsVirtualServer[]): string {
  const lines: string[] = [];
  for (const s of servers) {
    const vip = `${s.address}:${s.port}`;
    lines.push(`-A ${flag(s.protocol)} ${vip} -s ${s.scheduler}`);
    for (const r of s.reals) lines.push(`-a ${flag(s.protocol)} ${vip} -r ${r.address}:${r.port} -m -w ${r.weight}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function parseIpvsadmSave(text: string): { protocol: 'tcp' | 'udp'; address: string; port: number; scheduler: string; reals: { address: string; port: number; weight: number }[] }[] {
  const out: ReturnType<typeof parseIpvsadmSave> = [];
  for (const line of text.split('\n').filter((l) => l.trim())) {
    let m = /^-A -([tu]) (\d+\.\d+\.\d+\.\d+):(\d+) -s (\w+)$/.exec(line);
    if (m) {
      out.push({ protocol: m[1] === 't' ? 'tcp' : 'udp', address: m[2]!, port: Number(m[3]), scheduler: m[4]!, reals: [] });
      continue;
    }
    m = /^-a -([tu]) (\d+\.\d+\.\d+\.\d+):(\d+) -r (\d+\.\d+\.\d+\.\d+):(\d+) -m -w (\d+)$/.exec(line);
    const vs = m && out.find((v) => v.address === m![2] && v.port === Number(m![3]) && v.protocol === (m![1] === 't' ? 'tcp' : 'udp'));
    if (!m || !vs) throw new Error(`not an ipvsadm-save -n line: ${line}`);
    vs.reals.push({ address: m[4]!, port: Number(m[5]), weight: Number(m[6]) });
  }
  return out;
}

function createLine(s: IpsetEntry): string {
  if (s.type === 'bitmap:port') return `create ${s.name} bitmap:port range 0-65535`;
  return `create ${s.name} ${s.type} family inet hashsize 1024 maxelem 65536`;
}

export function formatIpsetSave(sets: readonly IpsetEntry[]): string {
  const lines: string[] = [];
  for (const s of sets) lines.push(createLine(s), ...s.entries.map((e) => `add ${s.name} ${e}`));
  return lines.join('\n') + '\n';
}

/** Sets and their entries from `ipset save` text; header options after the type are ignored
 * (newer ipset adds bucketsize and a random initval). */
export function parseIpsetSave(text: string): Map<string, { type: string; entries: string[] }> {
  const out = new Map<string, { type: string; entries: string[] }>();
  for (const line of text.split('\n').filter((l) => l.trim())) {
    const [verb, name, rest] = [line.split(' ')[0], line.split(' ')[1], line.split(' ').slice(2)];
    if (verb === 'create') out.set(name!, { type: rest[0]!, entries: [] });
    else if (verb === 'add' && out.has(name!)) out.get(name!)!.entries.push(rest.join(' '));
    else throw new Error(`not an ipset save line: ${line}`);
  }
  for (const v of out.values()) v.entries.sort();
  return out;
}

export function formatDummyAddresses(p: IpvsProgram): string {
  return p.dummyAddresses.map((a) => `ip addr add ${a}/32 dev kube-ipvs0`).join('\n') + (p.dummyAddresses.length ? '\n' : '');
}
