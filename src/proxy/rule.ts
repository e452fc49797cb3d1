// One iptables rule as data, in the order kube-proxy writes its arguments, with what each
// piece looks like in iptables-save's canonical form. The two text forms (format.ts) are
// two printers over the same pieces, so they cannot drift apart.

export type Table = 'filter' | 'nat';

export type Piece =
  | { kind: 'addr'; dir: 's' | 'd'; not: boolean; restore: string; save: string }
  | { kind: 'proto'; proto: string }
  /** `-m NAME` and the options written right after it. */
  | { kind: 'module'; name: string; restore: string[]; save: string[] }
  /** Options of an earlier module written further on (kube-proxy's `--dport` after `-d`). */
  | { kind: 'more'; module: string; restore: string[]; save: string[] }
  | { kind: 'target'; name: string; restore: string[]; save: string[] };

export interface Rule {
  chain: string;
  pieces: Piece[];
}

// Quoting. kube-proxy puts a comment in double quotes when it has a space (it formats those
// with `"%s"`); iptables-save quotes anything outside [A-Za-z0-9_-] (xtables_save_string).
export function restoreQuote(text: string): string {
  return text.includes(' ') ? `"${text}"` : text;
}

export function saveQuote(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  return `"${text.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** An address as written (kube-proxy writes /32 in some eras, bare in others); saved with /32. */
export function addr(dir: 's' | 'd', value: string, not = false): Piece {
  return { kind: 'addr', dir, not, restore: value, save: value.includes('/') ? value : `${value}/32` };
}

export const proto = (p: string): Piece => ({ kind: 'proto', proto: p });

export function mod(name: string, ...args: string[]): Piece {
  return { kind: 'module', name, restore: args, save: args };
}

export function comment(text: string): Piece {
  return { kind: 'module', name: 'comment', restore: ['--comment', restoreQuote(text)], save: ['--comment', saveQuote(text)] };
}

export function more(module: string, ...args: string[]): Piece {
  return { kind: 'more', module, restore: args, save: args };
}

export function target(name: string, restore: string[] = [], save: string[] = restore): Piece {
  return { kind: 'target', name, restore, save };
}

export function jump(chain: string): Piece {
  return target(chain);
}

/** `-m mark [!] --mark V/M`: iptables-save prints the hex values without leading zeros. */
export function markMatch(mark: string, not = false): Piece {
  const neg = not ? ['!'] : [];
  return { kind: 'module', name: 'mark', restore: [...neg, '--mark', mark], save: [...neg, '--mark', canonicalMark(mark)] };
}

export function canonicalMark(mark: string): string {
  const [value, mask] = mark.split('/');
  const hex = (v: string) => `0x${parseInt(v, 16).toString(16)}`;
  return mask === undefined ? hex(value!) : `${hex(value!)}/${hex(mask)}`;
}

/** MARK as written, and as libxt_MARK saves it (everything becomes --set-xmark V/M). */
export function markTarget(op: 'set-xmark' | 'or-mark' | 'xor-mark', value: string): Piece {
  let saved: string;
  if (op === 'or-mark') saved = `${canonicalMark(value)}/${canonicalMark(value)}`;
  else if (op === 'xor-mark') saved = `${canonicalMark(value)}/0x0`;
  else saved = canonicalMark(value.includes('/') ? value : `${value}/0xffffffff`);
  return target('MARK', [`--${op}`, value], ['--set-xmark', saved]);
}

/** REJECT gains its default --reject-with in iptables-save. */
export const reject = (): Piece => target('REJECT', [], ['--reject-with', 'icmp-port-unreachable']);

export function rule(chain: string, ...pieces: Piece[]): Rule {
  return { chain, pieces };
}
