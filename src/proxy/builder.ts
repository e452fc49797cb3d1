// Collects chains and rules per table in the order kube-proxy writes them.
import type { Rule, Table } from './rule.js';
import type { IptablesProgram, JumpRule } from './types.js';

export class RuleSet {
  private readonly chains = new Map<Table, string[]>([['filter', []], ['nat', []]]);
  private readonly declared = new Set<string>();
  private readonly rules = new Map<Table, Rule[]>([['filter', []], ['nat', []]]);
  readonly jumps: JumpRule[] = [];
  private readonly borrowed = new Map<string, { table: Table; chain: string; owner: string }>();

  chain(table: Table, name: string): string {
    const key = `${table}/${name}`;
    if (!this.declared.has(key)) {
      this.declared.add(key);
      this.chains.get(table)!.push(name);
    }
    return name;
  }

  add(table: Table, rule: Rule): void {
    this.rules.get(table)!.push(rule);
  }

  /** A chain of another component (kubelet's KUBE-MARK-DROP) that kube-proxy's rules use. */
  borrow(table: Table, chain: string, owner: string, rules: Rule[]): void {
    if (this.borrowed.has(`${table}/${chain}`)) return;
    this.borrowed.set(`${table}/${chain}`, { table, chain, owner });
    this.chain(table, chain);
    for (const r of rules) this.add(table, r);
  }

  build(): IptablesProgram {
    const tables = (['filter', 'nat'] as const)
      .map((table) => ({ table, chains: this.chains.get(table)!, rules: this.rules.get(table)! }))
      .filter((t) => t.chains.length > 0);
    return { tables, jumps: this.jumps, borrowed: [...this.borrowed.values()] };
  }
}

/** Service ports in the order kubernetes' own tests normalise to (real kube-proxy walks a Go
 * map, so its order differs from run to run): by namespace/name, then port name. */
export function byServiceName<T extends { namespace: string; name: string; portName: string }>(ports: readonly T[]): T[] {
  return [...ports].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`) || cmp(a.portName, b.portName));
}

/** Endpoints sorted by their "IP:port" string, as endpointslicecache's byEndpoint does. */
export function byEndpointString<T extends { ip: string; port: number }>(eps: readonly T[]): T[] {
  return [...eps].sort((a, b) => cmp(`${a.ip}:${a.port}`, `${b.ip}:${b.port}`));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
