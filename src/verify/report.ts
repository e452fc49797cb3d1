// verify's three views of one report: the terminal (layer summary, reachability matrix,
// failures grouped under their root cause), --json, and --junit.
import pc from 'picocolors';
import { plural, stripAnsi, table } from '../core/text.js';
import type { Lab } from '../lab/types.js';
import { LAYER_NAMES, LAYER_TITLES, type Check, type Layer, type VerifyReport } from './model.js';
import { PROBE_PORT } from './names.js';

const LAYERS: Layer[] = [0, 1, 2, 3, 4, 5];

export interface TextOptions {
  /** Colours (a TTY without NO_COLOR). */
  color: boolean;
  /** Draw the matrix (a TTY). */
  matrix: boolean;
  /** Terminal width for the matrix. */
  width?: number;
}

export function verifyText(report: VerifyReport, lab: Lab, opts: TextOptions): string {
  const c = pc.createColors(Boolean(opts.color));
  const out: string[] = [];
  out.push(`verify ${report.lab}${report.emulated ? ' (emulated)' : ''}: ${report.totals.checks} checks on ${report.hosts.filter((h) => h.ssh !== 'not-used').length} hosts in ${(report.ms / 1000).toFixed(1)} s`);
  const rows = [['LAYER', 'PASS', 'FAIL', 'SKIP', 'UNKNOWN', '']];
  for (const l of LAYERS) {
    const mine = report.checks.filter((x) => x.layer === l);
    const n = (r: Check['result']) => mine.filter((x) => x.result === r).length;
    const note = report.skipped[l] ?? (mine.length ? LAYER_TITLES[l] : '');
    rows.push([`${l} ${LAYER_NAMES[l]}`, String(n('pass')), n('fail') ? c.red(String(n('fail'))) : '0', String(n('skip')), n('unknown') ? c.yellow(String(n('unknown'))) : '0', c.dim(note)]);
  }
  out.push(indent(table(rows)));
  if (opts.matrix) {
    const m = matrix(report, lab, c, opts.width ?? 120);
    if (m) out.push('', m);
  }
  const roots = report.checks.filter((x) => (x.result === 'fail' || x.result === 'unknown') && !x.cause);
  if (roots.length) {
    out.push('', c.bold(report.totals.fail ? 'FAILED' : 'NOT KNOWN'));
    const explained = new Map<string, Check[]>();
    for (const x of report.checks) if (x.cause) explained.set(x.cause, [...(explained.get(x.cause) ?? []), x]);
    for (const r of roots) {
      const mark = r.result === 'fail' ? c.red('✗') : c.yellow('?');
      out.push(`  ${mark} [${r.layer} ${LAYER_NAMES[r.layer]}] ${r.diagnosis ?? r.id}`);
      const under = explained.get(r.id) ?? [];
      if (under.length) {
        const kinds = summarize(under);
        out.push(c.dim(`      explains ${under.length} other ${under.length === 1 ? 'check' : 'checks'}: ${kinds}`));
      }
    }
  }
  const t = report.totals;
  out.push(
    '',
    `${t.pass} passed, ${t.fail} failed${t.fail ? ` (${roots.filter((r) => r.result === 'fail').length} root ${roots.filter((r) => r.result === 'fail').length === 1 ? 'cause' : 'causes'})` : ''}, ${t.skip} skipped, ${t.unknown} unknown; ${t.connections} connections, ${t.commands} remote commands; probe port ${PROBE_PORT}`,
  );
  if (report.cleanedUp) {
    const n = Object.values(report.cleanedUp).reduce((s, l) => s + l.length, 0);
    out.push(`cleanup: removed ${n} probe pods on ${Object.keys(report.cleanedUp).length} hosts`);
  }
  out.push(report.ok ? c.green(verdict(report)) : c.red(verdict(report)));
  return out.join('\n') + '\n';
}

/** The last line: what passed, and what was skipped and why, so "passed" never hides a layer
 * that was not checked. */
export function verdict(report: VerifyReport): string {
  const t = report.totals;
  if (!report.ok) return `verify: FAILED (${t.fail} failed, ${t.unknown} unknown, ${t.pass} passed)`;
  if (!t.skip) return `verify: all ${plural(t.checks, 'check')} passed`;
  const why = [...new Set(Object.values(report.skipped))];
  return `verify: ${t.pass} passed, ${t.skip} skipped${why.length ? `: ${why.join('; ')}` : ''}`;
}

function summarize(checks: Check[]): string {
  const byKind = new Map<string, number>();
  for (const x of checks) byKind.set(`${x.kind} ${x.result}`, (byKind.get(`${x.kind} ${x.result}`) ?? 0) + 1);
  const names: Record<string, string> = { pod: 'pod probes', reach: 'node pings', service: 'service probes', nodeport: 'NodePort probes' };
  return [...byKind].map(([k, n]) => {
    const [kind, result] = k.split(' ');
    return `${n} ${names[kind!] ?? `${kind} checks`}${result === 'unknown' ? ' not known' : ''}`;
  }).join(', ');
}

type Colors = ReturnType<typeof pc.createColors>;

/** Sources down, destinations across. Per pod when it fits, else per node. */
export function matrix(report: VerifyReport, lab: Lab, c: Colors, width: number): string | undefined {
  const probes = report.checks.filter((x) => x.kind === 'pod' || x.kind === 'reach');
  if (!probes.length) return undefined;
  const nodes = lab.nodes.map((n) => n.name);
  const pods = lab.pods.map((p) => p.name);
  const outsideName = report.hosts.find((h) => h.role === 'outside')?.host;
  const sources = [...nodes, ...pods, ...(outsideName ? [outsideName] : [])];
  const dests = [...nodes, ...pods];
  const cellW = 6;
  const nameW = Math.max(...sources.map((s) => s.length)) + 2;
  const fits = nameW + dests.length * cellW <= width;
  const at = new Map(probes.map((x) => [`${x.source}>${x.target}`, x]));
  const lines: string[] = [];
  if (fits) {
    lines.push(c.bold('reachability') + c.dim(` (RTT ms; ✗ fail, NAT: source rewritten, ? unknown; nodes ping nodes, everything connects to pods on port ${PROBE_PORT})`));
    lines.push(' '.repeat(nameW) + dests.map((_, i) => String(i + 1).padStart(cellW)).join(''));
    for (const s of sources) {
      const cells = dests.map((d) => {
        if (d === s) return pad(c.dim('·'), cellW);
        const x = at.get(`${s}>${d}`);
        if (!x) return pad(c.dim(' '), cellW);
        return pad(cell(x, c), cellW);
      });
      lines.push(s.padEnd(nameW) + cells.join(''));
    }
    const legend = dests.map((d, i) => `${i + 1} ${d}${lab.pods.find((p) => p.name === d) ? ` (${lab.pods.find((p) => p.name === d)!.ip})` : ''}`);
    lines.push(c.dim(wrap(legend, width)));
    return lines.join('\n');
  }
  // Per node: how many probes from that node and its pods to each node and its pods passed.
  const hostOf = (name: string) => lab.pods.find((p) => p.name === name)?.node ?? name;
  const groups = [...nodes, ...(outsideName ? [outsideName] : [])];
  const colNodes = nodes;
  const gW = 7;
  const gNameW = Math.max(...groups.map((s) => s.length)) + 2;
  const maxCols = Math.max(1, Math.floor((width - gNameW) / gW));
  const shown = colNodes.slice(0, maxCols);
  lines.push(c.bold('reachability per node') + c.dim(` (failed/total probes from a node and its pods to a node and its pods${shown.length < colNodes.length ? `; first ${shown.length} of ${colNodes.length} columns` : ''})`));
  lines.push(' '.repeat(gNameW) + shown.map((_, i) => String(i + 1).padStart(gW)).join(''));
  const agg = new Map<string, { n: number; fail: number; unknown: number }>();
  for (const x of probes) {
    const k = `${hostOf(x.source)}>${hostOf(x.target)}`;
    const a = agg.get(k) ?? { n: 0, fail: 0, unknown: 0 };
    a.n++;
    if (x.result === 'fail') a.fail++;
    if (x.result === 'unknown') a.unknown++;
    agg.set(k, a);
  }
  for (const g of groups) {
    const cells = shown.map((d) => {
      const a = agg.get(`${g}>${d}`);
      if (!a) return pad(c.dim('·'), gW);
      if (a.fail) return pad(c.red(`${a.fail}/${a.n}`), gW);
      if (a.unknown) return pad(c.yellow(`?${a.unknown}`), gW);
      return pad(c.green('ok'), gW);
    });
    lines.push(g.padEnd(gNameW) + cells.join(''));
  }
  lines.push(c.dim(wrap(shown.map((d, i) => `${i + 1} ${d}`), width)));
  return lines.join('\n');
}

function cell(x: Check, c: Colors): string {
  if (x.result === 'unknown') return c.yellow('?');
  if (x.result === 'fail') return x.detail?.startsWith('answer ') ? c.red('NAT') : c.red('✗');
  if (x.result === 'pass') return c.green(x.rttMs !== undefined ? (x.rttMs < 10 ? x.rttMs.toFixed(1) : String(Math.round(x.rttMs))) : 'ok');
  return c.dim('-');
}

const pad = (s: string, w: number) => ' '.repeat(Math.max(0, w - stripAnsi(s).length)) + s;
const indent = (s: string) => s.split('\n').map((l) => `  ${l}`).join('\n');


function wrap(items: string[], width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const it of items) {
    if (cur && cur.length + 3 + it.length > width) {
      lines.push(cur);
      cur = it;
    } else cur = cur ? `${cur}   ${it}` : it;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

export function verifyJson(report: VerifyReport): unknown {
  return {
    lab: report.lab,
    emulated: report.emulated,
    ok: report.ok,
    probePort: PROBE_PORT,
    ms: report.ms,
    phases: report.phases,
    totals: report.totals,
    layers: LAYERS.map((l) => {
      const mine = report.checks.filter((x) => x.layer === l);
      const n = (r: Check['result']) => mine.filter((x) => x.result === r).length;
      return { layer: l, name: LAYER_NAMES[l], pass: n('pass'), fail: n('fail'), skip: n('skip'), unknown: n('unknown'), ...(report.skipped[l] ? { skipped: report.skipped[l] } : {}) };
    }),
    hosts: report.hosts,
    checks: report.checks.map((x) => ({
      id: x.id,
      layer: x.layer,
      layerName: LAYER_NAMES[x.layer],
      kind: x.kind,
      source: x.source,
      target: x.target,
      result: x.result,
      rttMs: x.rttMs ?? null,
      diagnosis: x.diagnosis ?? null,
      cause: x.cause ?? null,
      ...(x.detail ? { detail: x.detail } : {}),
    })),
    ...(report.cleanedUp ? { cleanedUp: report.cleanedUp } : {}),
  };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: a test suite per layer, a test case per check. Unknown checks are errors. */
export function verifyJunit(report: VerifyReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const t = report.totals;
  out.push(`<testsuites name="labsmith verify ${xml(report.lab)}" tests="${t.checks}" failures="${t.fail}" errors="${t.unknown}" skipped="${t.skip}" time="${(report.ms / 1000).toFixed(3)}">`);
  for (const l of LAYERS) {
    const mine = report.checks.filter((x) => x.layer === l);
    const n = (r: Check['result']) => mine.filter((x) => x.result === r).length;
    out.push(`  <testsuite name="${l} ${LAYER_NAMES[l]}" tests="${mine.length}" failures="${n('fail')}" errors="${n('unknown')}" skipped="${n('skip')}">`);
    for (const x of mine) {
      const name = xml(`${x.kind} ${x.source} -> ${x.target}`);
      const time = x.rttMs !== undefined ? ` time="${(x.rttMs / 1000).toFixed(6)}"` : '';
      const open = `    <testcase classname="labsmith.verify.${LAYER_NAMES[l]}" name="${name}"${time}`;
      const msg = xml(x.diagnosis ?? '');
      if (x.result === 'pass') out.push(`${open}/>`);
      else if (x.result === 'fail') out.push(`${open}><failure message="${msg}" type="${xml(x.cause ? `caused by ${x.cause}` : x.kind)}">${xml(x.detail ?? '')}</failure></testcase>`);
      else if (x.result === 'skip') out.push(`${open}><skipped message="${msg}"/></testcase>`);
      else out.push(`${open}><error message="${msg}" type="unknown"/></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
