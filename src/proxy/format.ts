// The two text forms of the iptables rules.
// restore: what kube-proxy hands to `iptables-restore --noflush`: kube-proxy's argument
//   order, chains and rules normalised the way kubernetes' own tests sort them
//   (sortIPTablesRules: KUBE-NODEPORTS, KUBE-SERVICES, then by name; services by name),
//   because the real order follows a Go map. The jumps from built-in chains are made with
//   `iptables -I/-A` outside that file, so they appear as comments.
// save: what `iptables-save` prints on the node afterwards (iptables 1.8.9): built-in chains
//   first and user chains by name, each rule's matches in canonical order (`! -s`, `-d`,
//   `-p`, then modules), addresses with /32, MARK as --set-xmark, REJECT's default shown,
//   probabilities as the kernel keeps them.
import { cmp } from './builder.js';
import type { Piece, Rule, Table } from './rule.js';
import type { IptablesProgram, JumpRule } from './types.js';

export const BUILTIN_CHAINS: Record<Table, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export function restoreRuleText(rule: Rule): string {
  const words = [`-A ${rule.chain}`];
  for (const p of rule.pieces) words.push(restorePiece(p));
  return words.join(' ');
}

function restorePiece(p: Piece): string {
  switch (p.kind) {
    case 'addr':
      return `${p.not ? '! ' : ''}-${p.dir} ${p.restore}`;
    case 'proto':
      return `-p ${p.proto}`;
    case 'module':
      return [`-m ${p.name}`, ...p.restore].join(' ');
    case 'more':
      return p.restore.join(' ');
    case 'target':
      return [`-j ${p.name}`, ...p.restore].join(' ');
  }
}

export function saveRuleText(rule: Rule): string {
  const words = [`-A ${rule.chain}`];
  const address = (dir: 's' | 'd') => {
    const a = rule.pieces.find((p) => p.kind === 'addr' && p.dir === dir);
    if (a && a.kind === 'addr') words.push(`${a.not ? '! ' : ''}-${dir} ${a.save}`);
  };
  address('s');
  address('d');
  const pr = rule.pieces.find((p) => p.kind === 'proto');
  if (pr && pr.kind === 'proto') words.push(`-p ${pr.proto}`);
  const modules: { name: string; args: string[] }[] = [];
  for (const p of rule.pieces) {
    if (p.kind === 'module') modules.push({ name: p.name, args: [...p.save] });
    else if (p.kind === 'more') {
      const owner = [...modules].reverse().find((m) => m.name === p.module);
      if (!owner) throw new Error(`rule in ${rule.chain}: options of -m ${p.module} before the module`);
      owner.args.push(...p.save);
    }
  }
  for (const m of modules) words.push([`-m ${m.name}`, ...m.args].join(' '));
  const t = rule.pieces.find((p) => p.kind === 'target');
  if (t && t.kind === 'target') words.push([`-j ${t.name}`, ...t.save].join(' '));
  return words.join(' ');
}

/** kubernetes' sortIPTablesRules chain order. */
function testSortChains(chains: readonly string[]): string[] {
  const rank = (c: string) => (c === 'KUBE-NODEPORTS' ? 0 : c === 'KUBE-SERVICES' ? 1 : c.startsWith('KUBE-') ? 3 : 2);
  return [...chains].sort((a, b) => rank(a) - rank(b) || cmp(a, b));
}

function grouped(rules: readonly Rule[], order: readonly string[]): Rule[] {
  const by = new Map<string, Rule[]>(order.map((c) => [c, []]));
  for (const r of rules) {
    if (!by.has(r.chain)) throw new Error(`rule for undeclared chain ${r.chain}`);
    by.get(r.chain)!.push(r);
  }
  const out: Rule[] = [];
  for (const c of order) for (const r of by.get(c)!) out.push(r);
  return out;
}

export function jumpCommand(j: JumpRule): string {
  const text = restoreRuleText(j.rule).replace(/^-A (\S+)/, j.position === 'prepend' ? '-I $1' : '-A $1');
  return `iptables -t ${j.table} ${text}`;
}

export function formatRestore(program: IptablesProgram, header: string[]): string {
  const lines = header.map((h) => `# ${h}`);
  if (program.jumps.length) {
    lines.push('# kube-proxy links its chains from the built-in ones with iptables itself (-I: insert if missing):');
    for (const j of program.jumps) lines.push(`#   ${jumpCommand(j)}${j.owner === 'kubelet' ? '   (kubelet makes it first)' : ''}`);
  }
  for (const b of program.borrowed) lines.push(`# ${b.chain} belongs to ${b.owner} in this release; declared here so that this file loads on its own`);
  for (const t of program.tables) {
    const order = testSortChains(t.chains);
    lines.push(`*${t.table}`);
    for (const c of order) lines.push(`:${c} - [0:0]`);
    for (const r of grouped(t.rules, order)) lines.push(restoreRuleText(r));
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}

/** The rules the jumps leave in each built-in chain of a fresh node, in order. */
export function builtinRules(jumps: readonly JumpRule[]): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const j of jumps) {
    const key = `${j.table}/${j.rule.chain}`;
    const list = out.get(key) ?? [];
    const text = restoreRuleText(j.rule);
    if (list.some((r) => restoreRuleText(r) === text)) continue;
    if (j.position === 'prepend') list.unshift(j.rule);
    else list.push(j.rule);
    out.set(key, list);
  }
  return out;
}

export function formatSave(program: IptablesProgram, header: string[]): string {
  const lines = header.map((h) => `# ${h}`);
  const builtins = builtinRules(program.jumps);
  for (const table of ['filter', 'nat'] as const) {
    const t = program.tables.find((x) => x.table === table);
    const hasJumps = [...builtins.keys()].some((k) => k.startsWith(`${table}/`));
    if (!t && !hasJumps) continue;
    const user = [...(t?.chains ?? [])].sort(cmp);
    lines.push(`*${table}`);
    for (const c of BUILTIN_CHAINS[table]) lines.push(`:${c} ACCEPT [0:0]`);
    for (const c of user) lines.push(`:${c} - [0:0]`);
    for (const c of BUILTIN_CHAINS[table]) for (const r of builtins.get(`${table}/${c}`) ?? []) lines.push(saveRuleText(r));
    for (const r of grouped(t?.rules ?? [], user)) lines.push(saveRuleText(r));
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}
