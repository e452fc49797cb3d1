// labsmith preflight over the whole lab: each node's rendering says what it needs, one
// remote command per node reads what it has, and the pure checks compare them.
import { labHosts } from '../hosts/index.js';
import { parsePreflightFacts, preflightCommand } from '../hosts/preflight-facts.js';
import type { Lab } from '../lab/types.js';
import { placeholderPki, needsPki } from '../pki/index.js';
import { forEachHost, type RemoteCounters } from '../remote/index.js';
import { renderLab } from '../render/index.js';
import { clockRows, nodeNeeds, preflightChecks, type ClockSample, type PreflightRow } from './preflight.js';

export interface PreflightOptions {
  emulated: boolean;
  concurrency?: number;
  acceptChangedHostKeys?: string[];
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

export interface PreflightReport {
  lab: string;
  emulated: boolean;
  rows: PreflightRow[];
  totals: { hosts: number; ok: number; warn: number; fail: number; commands: number };
}

export async function preflightLab(lab: Lab, opts: PreflightOptions): Promise<PreflightReport> {
  // What the units start and listen on does not depend on certificate contents: the
  // placeholder PKI renders the same ExecStart lines without touching the lab's own PKI.
  const renders = renderLab(lab, needsPki(lab) ? { pki: placeholderPki(lab) } : {});
  const needs = new Map(renders.filter((r) => r.role !== 'router').map((r) => [r.host, nodeNeeds(lab, r)]));
  const targets = await labHosts(lab, { emulated: opts.emulated, router: false });
  const outcomes = await forEachHost(
    targets,
    async (h) => {
      const need = needs.get(h.target.host)!;
      const sentAt = Date.now() / 1000;
      const r = await h.exec(preflightCommand(need.binaries.map((b) => b.path)), { ...(opts.commandTimeoutMs ? { timeoutMs: opts.commandTimeoutMs } : {}) });
      const receivedAt = Date.now() / 1000;
      if (r.code !== 0) throw new Error(`preflight's command failed (exit ${r.code}): ${r.stderr.toString().trim().slice(0, 300)}`);
      const facts = parsePreflightFacts(r.stdout.toString());
      return { rows: preflightChecks(need, facts, { lab, emulated: opts.emulated }), clock: { host: h.target.host, remote: facts.clock, sentAt, receivedAt } };
    },
    {
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.acceptChangedHostKeys ? { acceptChangedHostKeys: opts.acceptChangedHostKeys } : {}),
      ...(opts.connectTimeoutMs ? { readyTimeoutMs: opts.connectTimeoutMs } : {}),
    },
  );
  const rows: PreflightRow[] = [];
  const clocks: ClockSample[] = [];
  for (const o of outcomes) {
    if (o.ok) {
      rows.push(...o.value.rows);
      clocks.push(o.value.clock);
    } else rows.push({ host: o.host, check: 'reach', status: 'fail', detail: `${o.error.kind}: ${o.error.message.split('\n')[0]}`, fix: `make ${o.host} reachable over SSH (labsmith apply would fail the same way)` });
  }
  rows.push(...clockRows(clocks));
  const order = [...lab.nodes.map((n) => n.name), '(lab)'];
  // Stable: a host's rows keep the checks' order.
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => order.indexOf(a.r.host) - order.indexOf(b.r.host) || a.i - b.i).map((x) => x.r);
  const count = (s: PreflightRow['status']) => sorted.filter((r) => r.status === s).length;
  const commands = outcomes.reduce((n, o) => n + (o.counters as RemoteCounters).commands, 0);
  return { lab: lab.name, emulated: opts.emulated, rows: sorted, totals: { hosts: targets.length, ok: count('ok'), warn: count('warn'), fail: count('fail'), commands } };
}
