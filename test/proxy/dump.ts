// iptables-restore/iptables-save text as tables of chains of rules, for comparing chain by
// chain; and the normalisation kubernetes' sortIPTablesRules applies (services by name in
// KUBE-SERVICES and KUBE-NODEPORTS, the "must be the last rule" rule kept last).
export interface Dump {
  tables: Map<string, { chains: string[]; rules: Map<string, string[]> }>;
}

export function parseDump(text: string): Dump {
  const tables: Dump['tables'] = new Map();
  let current: { chains: string[]; rules: Map<string, string[]> } | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      current = { chains: [], rules: new Map() };
      tables.set(line.slice(1), current);
    } else if (line === 'COMMIT') current = undefined;
    else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      current!.chains.push(chain);
      current!.rules.set(chain, []);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      if (!current!.rules.has(chain)) throw new Error(`rule for undeclared chain: ${line}`);
      current!.rules.get(chain)!.push(line);
    } else throw new Error(`unexpected line: ${line}`);
  }
  return { tables };
}

function serviceName(rule: string): string {
  const m = /--comment (?:"([^"]*)"|(\S+))/.exec(rule);
  return (m?.[1] ?? m?.[2] ?? '').split(' ')[0]!;
}

export function sortLikeKubernetes(d: Dump): Dump {
  for (const t of d.tables.values()) {
    for (const chain of ['KUBE-SERVICES', 'KUBE-NODEPORTS']) {
      const rules = t.rules.get(chain);
      if (!rules) continue;
      const last = rules.filter((r) => r.includes('this must be the last rule'));
      const rest = rules.filter((r) => !last.includes(r));
      rest.sort((a, b) => (serviceName(a) < serviceName(b) ? -1 : serviceName(a) > serviceName(b) ? 1 : 0));
      t.rules.set(chain, [...rest, ...last]);
    }
  }
  return d;
}

/** The text with comment lines dropped: what two dumps must agree on. */
export function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim();
}
