// Probabilities as kube-proxy writes them and as iptables-save prints them back.
//
// kube-proxy: computeProbability(n) = fmt.Sprintf("%0.5f", 1/n) before 1.17, "%0.10f" from
// 1.17 (#83599). Go formats the float64 1/n exactly, rounding half to even.
// iptables (libxt_statistic): parses the text with strtod, stores lround(0x80000000 * p) and
// prints that count / 0x80000000 with "%.11f": so 0.33333 -> 0.33332999982 and
// 0.3333333333 -> 0.33333333349 (checked against iptables 1.8.9 in a scratch namespace).

/** The exact decimal value of a finite non-negative double, as numerator / 2^k. */
function exactRational(x: number): { num: bigint; den: bigint } {
  if (!Number.isFinite(x) || x < 0) throw new Error(`not a finite non-negative number: ${x}`);
  if (x === 0) return { num: 0n, den: 1n };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exponent = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exponent === 0) e = -1074;
  else {
    mantissa |= 1n << 52n;
    e = exponent - 1075;
  }
  return e >= 0 ? { num: mantissa << BigInt(e), den: 1n } : { num: mantissa, den: 1n << BigInt(-e) };
}

/** printf("%.Nf") of a double: its exact value rounded half to even (glibc and Go agree). */
export function toFixedExact(x: number, digits: number): string {
  const { num, den } = exactRational(x);
  const scaled = num * 10n ** BigInt(digits);
  let q = scaled / den;
  const r2 = (scaled % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const text = q.toString().padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** What kube-proxy writes for the k-th of n remaining endpoints: 1/n with the era's digits. */
export function writtenProbability(n: number, digits: 5 | 10): string {
  return toFixedExact(1 / n, digits);
}

/** What iptables-save prints for a probability written as `text`. */
export function savedProbability(text: string): string {
  const p = Number(text);
  // lround: half away from zero; p >= 0 here.
  const scaled = 0x80000000 * p; // exact: a power-of-two scaling
  const floor = Math.floor(scaled);
  const count = scaled - floor >= 0.5 ? floor + 1 : floor;
  return toFixedExact(count / 0x80000000, 11);
}
