// apply and plan over the whole lab: render, then every host in parallel under a limit,
// each failing alone.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { labHosts, physicalStateDir, pushPlatform } from '../hosts/index.js';
import type { Lab } from '../lab/types.js';
import { ensurePki, needsPki, type PkiEntry } from '../pki/index.js';
import { forEachHost, formatRemoteEvent, type RemoteCounters } from '../remote/index.js';
import { renderLab } from '../render/index.js';
import type { HostRender } from '../render/types.js';
import { nodeJob, routerJob, type HostJob } from './host-job.js';
import { runHost, type ApplyHostResult, type StepListener } from './run-host.js';

export interface ApplyOptions {
  emulated: boolean;
  dryRun: boolean;
  /** With dryRun: unified diffs of file contents. */
  diff?: boolean;
  only?: string[];
  concurrency?: number;
  acceptChangedHostKeys?: string[];
  onStep?: StepListener;
  onDone?: (r: ApplyHostResult) => void;
  onNote?: (text: string) => void;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** What apply did to the lab's local PKI before rendering (1.x labs): names only. */
export interface PkiSummary {
  dir: string;
  created: string[];
  renewed: string[];
  removed: string[];
}

export interface ApplyReport {
  lab: string;
  emulated: boolean;
  dryRun: boolean;
  pki?: PkiSummary;
  hosts: ApplyHostResult[];
  totals: { hosts: number; changed: number; unchanged: number; failed: number; manual: number; files: number; connections: number; commands: number; bytesSent: number };
}

export async function applyLab(lab: Lab, opts: ApplyOptions): Promise<ApplyReport> {
  const platform = pushPlatform(lab, opts.emulated);
  // The emulated MLS runs FRR whatever the real switch is, so it gets FRR's rendering.
  const renderFor = platform && platform !== lab.router.platform ? { ...lab, router: { ...lab.router, platform } } : lab;
  // The PKI first: created or renewed beside the lab (in memory only for a dry run), then
  // rendered like any other file, so an unchanged PKI pushes nothing.
  const pki = needsPki(lab) ? await ensurePki(lab, { write: !opts.dryRun }) : undefined;
  const pkiSummary = pki ? summarize(pki.dir, pki.entries) : undefined;
  if (pkiSummary && pkiSummary.created.length + pkiSummary.renewed.length + pkiSummary.removed.length) opts.onNote?.(pkiNote(pkiSummary, opts.dryRun));
  const renders = renderLab(renderFor, { pki: pki?.pki });
  const routerRender = renders.find((r) => r.role === 'router')!;
  const jobs = new Map<string, HostJob>();
  for (const r of renders) if (r.role !== 'router') jobs.set(r.host, nodeJob(lab, r));
  if (platform) jobs.set(routerRender.host, routerJob(lab, routerRender, platform));

  const wanted = selectHosts(lab, opts.only);
  const results: ApplyHostResult[] = [];
  if (!platform && wanted.has(lab.router.name)) results.push(await manualRouter(lab, routerRender, opts.dryRun));

  const targets = (await labHosts(lab, { emulated: opts.emulated, router: Boolean(platform) })).filter((t) => wanted.has(t.host));
  const onStep = opts.onStep ?? (() => {});
  const outcomes = await forEachHost(
    targets,
    async (h) => {
      const job = jobs.get(h.target.host)!;
      const r = await runHost(h, job, { dryRun: opts.dryRun, diff: Boolean(opts.diff), onStep, ...(opts.commandTimeoutMs ? { commandTimeoutMs: opts.commandTimeoutMs } : {}) });
      opts.onDone?.({ ...r, counters: h.counters });
      return r;
    },
    {
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.acceptChangedHostKeys ? { acceptChangedHostKeys: opts.acceptChangedHostKeys } : {}),
      ...(opts.connectTimeoutMs ? { readyTimeoutMs: opts.connectTimeoutMs } : {}),
      onEvent: (e) => {
        if (e.kind === 'hostkey-recorded' || e.kind === 'hostkey-replaced') opts.onNote?.(formatRemoteEvent(e));
      },
    },
  );
  for (const o of outcomes) {
    if (o.ok) results.push({ ...o.value, counters: o.counters });
    else {
      const failed: ApplyHostResult = { host: o.host, role: targets.find((t) => t.host === o.host)!.role, status: 'failed', created: [], updated: [], live: [], handlers: [], skipped: [], error: { kind: o.error.kind, message: o.error.message }, counters: o.counters };
      opts.onDone?.(failed);
      results.push(failed);
    }
  }
  const order = [...lab.nodes.map((n) => n.name), lab.router.name];
  results.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
  return { lab: lab.name, emulated: opts.emulated, dryRun: opts.dryRun, ...(pkiSummary ? { pki: pkiSummary } : {}), hosts: results, totals: totals(results) };
}

function summarize(dir: string, entries: PkiEntry[]): PkiSummary {
  const named = (status: PkiEntry['status']) => entries.filter((e) => e.status === status).map((e) => e.name);
  return { dir, created: named('created'), renewed: named('renewed'), removed: named('removed') };
}

export function pkiNote(p: PkiSummary, dryRun: boolean): string {
  const parts = [['created', p.created], ['renewed', p.renewed], ['removed', p.removed]].filter(([, names]) => names!.length).map(([what, names]) => `${(names as string[]).length} ${what} (${(names as string[]).join(', ')})`);
  return `pki ${p.dir}: ${dryRun ? 'would be ' : ''}${parts.join(', ')}`;
}

function selectHosts(lab: Lab, only: string[] | undefined): Set<string> {
  const all = [...lab.nodes.map((n) => n.name), lab.router.name];
  if (!only?.length) return new Set(all);
  const unknown = only.filter((h) => !all.includes(h));
  if (unknown.length) throw new UsageError(`--only names ${unknown.join(', ')}, not a host of lab ${lab.name}`, `hosts are ${all.join(', ')}`);
  return new Set(only);
}

// A switch labsmith cannot push to: its rendered config is written locally, to be pasted.
async function manualRouter(lab: Lab, render: HostRender, dryRun: boolean): Promise<ApplyHostResult> {
  const file = render.files[0]!;
  const local = path.join(physicalStateDir(lab), 'out', render.host, file.path);
  if (!dryRun) {
    await mkdir(path.dirname(local), { recursive: true });
    await writeFile(local, file.content);
  }
  return {
    host: render.host,
    role: 'router',
    status: 'manual',
    created: [],
    updated: [],
    live: [],
    handlers: [],
    skipped: [],
    manual: { path: local, note: `labsmith cannot push to a ${lab.router.platform} switch: ${howToLoad(lab.router.platform, local, render.host)} (labsmith routes ${lab.file} prints it too)` },
  };
}

function totals(results: ApplyHostResult[]): ApplyReport['totals'] {
  const sum = (f: (c: RemoteCounters) => number) => results.reduce((n, r) => n + (r.counters ? f(r.counters) : 0), 0);
  return {
    hosts: results.length,
    changed: results.filter((r) => r.status === 'changed').length,
    unchanged: results.filter((r) => r.status === 'unchanged').length,
    failed: results.filter((r) => r.status === 'failed').length,
    manual: results.filter((r) => r.status === 'manual').length,
    files: results.reduce((n, r) => n + r.created.length + r.updated.length, 0),
    connections: sum((c) => c.connections),
    commands: sum((c) => c.commands),
    bytesSent: sum((c) => c.bytesSent),
  };
}

/** How the file written for a switch labsmith cannot push is loaded there. */
function howToLoad(platform: string, file: string, host: string): string {
  // Junos takes set and delete lines with `load set`, which does not commit.
  if (platform === 'junos') return `copy ${file} to ${host}, then in configuration mode: load set ${path.posix.basename(file)}, and commit`;
  return `paste ${file} into ${host}'s configuration`;
}
