// preflight's report: pure data -> text (a table, then each fix) or JSON.
import { plural, table } from '../core/text.js';
import type { PreflightReport } from './preflight-run.js';

type Paint = { red: (s: string) => string; yellow: (s: string) => string; green: (s: string) => string };
const plain: Paint = { red: (s) => s, yellow: (s) => s, green: (s) => s };

export function preflightText(report: PreflightReport, paint: Paint = plain): string {
  const mark = (s: string) => (s === 'fail' ? paint.red(s) : s === 'warn' ? paint.yellow(s) : paint.green(s));
  const out = [table([['HOST', 'CHECK', 'STATUS', 'DETAIL'], ...report.rows.map((r) => [r.host, r.check, mark(r.status), r.detail])])];
  const fixes = report.rows.filter((r) => r.fix && r.status === 'fail');
  if (fixes.length) out.push('', 'to fix:', ...fixes.map((r) => `  ${r.host} ${r.check}: ${r.fix}`));
  const t = report.totals;
  out.push('', `preflight ${report.lab}${report.emulated ? ' (emulated)' : ''}: ${plural(t.hosts, 'host')}, ${t.ok} ok, ${plural(t.warn, 'warning')}, ${plural(t.fail, 'failure')}`);
  return out.join('\n') + '\n';
}

export function preflightJson(report: PreflightReport): unknown {
  return { ok: report.totals.fail === 0, lab: report.lab, emulated: report.emulated, checks: report.rows, totals: report.totals };
}
