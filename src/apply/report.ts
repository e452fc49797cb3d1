// The words and the JSON document of plan and apply, both made from the same report.
import picocolors from 'picocolors';
import { table } from '../core/text.js';
import { pkiNote, type ApplyReport } from './apply.js';
import type { ApplyHostResult } from './run-host.js';

export type Colors = ReturnType<typeof picocolors.createColors>;
const plain = picocolors.createColors(false);

export function reportJson(r: ApplyReport): unknown {
  return {
    lab: r.lab,
    emulated: r.emulated,
    dryRun: r.dryRun,
    ok: r.totals.failed === 0,
    ...(r.pki ? { pki: r.pki } : {}),
    hosts: r.hosts.map((h) => ({
      host: h.host,
      role: h.role,
      status: h.status,
      created: h.created,
      updated: h.updated,
      live: h.live,
      handlers: h.handlers,
      skipped: h.skipped,
      ...(h.manual ? { manual: h.manual } : {}),
      ...(h.error ? { error: h.error } : {}),
      ...(h.diffs ? { diffs: h.diffs } : {}),
      ...(h.counters ? { connections: h.counters.connections, commands: h.counters.commands, bytesSent: h.counters.bytesSent } : {}),
    })),
    totals: r.totals,
  };
}

/** What plan prints: per host, what apply would do. */
export function planText(r: ApplyReport, pc: Colors = plain): string {
  const out: string[] = pkiLines(r);
  for (const h of r.hosts) {
    if (h.status === 'failed') {
      out.push(`${pc.bold(h.host)}: ${pc.red('cannot plan')}: ${h.error!.message}`);
      continue;
    }
    if (h.status === 'manual') {
      out.push(`${pc.bold(h.host)}: apply writes ${h.manual!.path}, to be pasted by hand`);
      continue;
    }
    const lines = [
      ...h.created.map((p) => `  ${pc.green('create')} ${p}`),
      ...h.updated.map((p) => `  ${pc.yellow('update')} ${p}`),
      ...h.live.map((l) => `  ${pc.cyan('live')}   ${l}`),
      ...h.handlers.map((l) => `  ${pc.magenta('run')}    ${l}`),
      ...h.skipped.map((l) => `  ${pc.dim('skip')}   ${l}`),
    ];
    out.push(`${pc.bold(h.host)}: ${lines.length ? `${h.created.length + h.updated.length} files to write, ${h.live.length} live changes` : 'no changes'}`, ...lines);
    for (const d of h.diffs ?? []) out.push(d.patch.trimEnd());
  }
  const t = r.totals;
  out.push('', `${t.hosts} hosts: ${r.hosts.filter((h) => h.status === 'planned' && (h.created.length || h.updated.length || h.live.length)).length} would change, ${t.failed} unreachable${t.manual ? `, ${t.manual} to paste by hand` : ''}`);
  return out.join('\n') + '\n';
}

/** What apply prints after the progress: a table, then each failure and manual step. */
export function applyText(r: ApplyReport, pc: Colors = plain): string {
  const rows = [['HOST', 'STATUS', 'CHANGED', 'RESTARTED', 'SKIPPED', 'FAILED']];
  for (const h of r.hosts) rows.push([h.host, status(h, pc), changed(h), h.handlers.filter((x) => x.startsWith('restart')).map((x) => x.replace('restart ', '')).join(',') || '-', h.skipped.length ? 'handlers (no systemd)' : '-', h.error ? `${h.error.kind}: ${firstLine(h.error.message)}` : '-']);
  const out = [...pkiLines(r), table(rows)];
  for (const h of r.hosts) if (h.manual) out.push(`${h.host}: ${h.manual.note}`);
  const t = r.totals;
  out.push(`${t.hosts} hosts: ${t.changed} changed, ${t.unchanged} unchanged, ${t.failed} failed${t.manual ? `, ${t.manual} to paste by hand` : ''}; ${t.files} files written, ${t.connections} connections, ${t.commands} remote commands, ${t.bytesSent} bytes sent`);
  return out.join('\n') + '\n';
}

function pkiLines(r: ApplyReport): string[] {
  const p = r.pki;
  return p && p.created.length + p.renewed.length + p.removed.length ? [pkiNote(p, r.dryRun)] : [];
}

function status(h: ApplyHostResult, pc: Colors): string {
  if (h.status === 'failed') return pc.red('failed');
  if (h.status === 'changed') return pc.yellow('changed');
  if (h.status === 'manual') return pc.cyan('manual');
  return pc.green(h.status);
}

function changed(h: ApplyHostResult): string {
  const parts = [];
  if (h.created.length + h.updated.length) parts.push(`${h.created.length + h.updated.length} files`);
  if (h.live.length) parts.push(`${h.live.length} live`);
  return parts.join(', ') || '-';
}

const firstLine = (s: string) => s.split('\n')[0]!;
