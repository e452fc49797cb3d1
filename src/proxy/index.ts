// The proxy phase's public face: what a node's kube-proxy programs, as data and as text.
import type { Lab } from '../lab/types.js';
import { formatRestore, formatSave, jumpCommand, restoreRuleText } from './format.js';
import { formatDummyAddresses, formatIpsetSave, formatIpvsadmSave } from './format-ipvs.js';
import { nodeForProxy, proxyInput } from './from-lab.js';
import { iptablesRules } from './iptables.js';
import { ipvsRules } from './ipvs.js';
import type { ProxyInput, ProxyProgram } from './types.js';
import { userspaceRules } from './userspace.js';

export type { ProxyInput, ProxyProgram, ProxyServicePort, ProxyEndpoint, ProxyNode, IptablesProgram } from './types.js';
export { proxyNodes, nodeForProxy, proxyInput, MASQUERADE_MARK } from './from-lab.js';
export { formatRestore, formatSave, saveRuleText, restoreRuleText, builtinRules, jumpCommand } from './format.js';
export { parseIpsetSave, parseIpvsadmSave, formatIpsetSave, formatIpvsadmSave } from './format-ipvs.js';

export type ProxyForm = 'save' | 'restore';
export const PROXY_FORMS: readonly ProxyForm[] = ['save', 'restore'];

export const IPVS_NOT_RUN = 'ipvs is rendered and read back here, never run: this machine has neither IPVS nor dummy links';

export function proxyProgram(input: ProxyInput): ProxyProgram {
  const base = { node: input.node.name, mode: input.mode, version: input.version };
  if (input.mode === 'userspace') {
    const r = userspaceRules(input);
    return { ...base, era: r.era, proxyPorts: r.proxyPorts, iptables: r.iptables };
  }
  if (input.mode === 'ipvs') {
    const r = ipvsRules(input);
    return { ...base, era: r.era, iptables: r.iptables, ipvs: r.ipvs };
  }
  const r = iptablesRules(input);
  return { ...base, era: r.era, iptables: r.iptables };
}

// In iptables mode a lab's rules are the same on every node: a node's own identity only
// enters through externalTrafficPolicy: Local and LB source ranges, which a lab file cannot
// say. So they are computed once per lab (and node OS, for --random-fully), and every minion
// shares them: a lab of N minions and N endpoints costs O(N) here, not O(N^2).
const shared = new WeakMap<Lab, Map<string, { program: ProxyProgram; bodies: Map<ProxyForm, string> }>>();

function sharedEntry(lab: Lab, nodeName: string): { program: ProxyProgram; bodies: Map<ProxyForm, string> } {
  const node = nodeForProxy(lab, nodeName);
  if (lab.kubernetes.proxyMode !== 'iptables') return { program: proxyProgram(proxyInput(lab, node)), bodies: new Map() };
  let perLab = shared.get(lab);
  if (!perLab) shared.set(lab, (perLab = new Map()));
  const key = `iptables|${node.os}`;
  let entry = perLab.get(key);
  if (!entry) perLab.set(key, (entry = { program: proxyProgram(proxyInput(lab, node)), bodies: new Map() }));
  return { program: { ...entry.program, node: nodeName }, bodies: entry.bodies };
}

/** The program of a lab's node; a master or an unknown node is a UsageError. */
export function labProxyProgram(lab: Lab, nodeName: string): ProxyProgram {
  return sharedEntry(lab, nodeName).program;
}

/** formatProgram for a lab's node, sharing the rules' text between nodes where it is shared. */
export function labProxyText(lab: Lab, nodeName: string, form: ProxyForm): string {
  const { program, bodies } = sharedEntry(lab, nodeName);
  let body = bodies.get(form);
  if (body === undefined) bodies.set(form, (body = programBody(program, form)));
  return headerText(program, form, lab.name) + body;
}

export function headerLines(program: ProxyProgram, form: ProxyForm, lab?: string): string[] {
  const lines = [
    `labsmith proxy: kube-proxy ${program.version} on ${program.node}${lab ? ` (lab ${lab})` : ''}, ${program.mode} mode`,
    program.era,
    form === 'save' ? 'form save: what iptables-save shows on the node (kube-proxy\'s chains; counters zeroed)' : 'form restore: what kube-proxy hands to iptables-restore --noflush',
  ];
  for (const p of program.proxyPorts ?? []) lines.push(`proxy port ${p.port} for ${p.service}/${p.protocol} (labsmith derives it per node and port; a real kube-proxy picks a random one)`);
  if (program.ipvs) lines.push(IPVS_NOT_RUN);
  return lines;
}

function headerText(program: ProxyProgram, form: ProxyForm, lab?: string): string {
  return headerLines(program, form, lab)
    .map((h) => `# ${h}\n`)
    .join('');
}

/**
 * Everything after the header. In ipvs mode that is four sections, each after a line
 * "# === NAME ===": kube-ipvs0's addresses, `ipset save`, `ipvsadm-save -n`, and iptables.
 */
function programBody(program: ProxyProgram, form: ProxyForm): string {
  const rules = form === 'save' ? formatSave(program.iptables, []) : formatRestore(program.iptables, []);
  if (!program.ipvs) return rules;
  return [
    '# === kube-ipvs0 ===\n',
    formatDummyAddresses(program.ipvs),
    '# === ipset save ===\n',
    formatIpsetSave(program.ipvs.ipsets),
    '# === ipvsadm-save -n ===\n',
    formatIpvsadmSave(program.ipvs.virtualServers),
    `# === ${form === 'save' ? 'iptables-save' : 'iptables-restore'} ===\n`,
    rules,
  ].join('');
}

/** The text of a form: the header (what, which era, which form) and the rules. */
export function formatProgram(program: ProxyProgram, form: ProxyForm, lab?: string): string {
  return headerText(program, form, lab) + programBody(program, form);
}

/** One JSON document: the data, the jumps as commands, and both text forms. */
export function programJson(program: ProxyProgram, lab?: string): Record<string, unknown> {
  return {
    node: program.node,
    mode: program.mode,
    version: program.version,
    era: program.era,
    ...(program.proxyPorts ? { proxyPorts: program.proxyPorts } : {}),
    iptables: {
      tables: program.iptables.tables.map((t) => ({ table: t.table, chains: t.chains, rules: t.rules.map(restoreRuleText) })),
      jumps: program.iptables.jumps.map((j) => ({ table: j.table, chain: j.rule.chain, position: j.position, owner: j.owner, rule: restoreRuleText(j.rule), command: jumpCommand(j) })),
      borrowed: program.iptables.borrowed,
    },
    ...(program.ipvs ? { ipvs: program.ipvs, note: IPVS_NOT_RUN } : {}),
    save: formatProgram(program, 'save', lab),
    restore: formatProgram(program, 'restore', lab),
  };
}
