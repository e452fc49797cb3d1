// Carries one host's plan out over its single connection: one command to read, uploads of
// what differs (atomic, with backups), then one command for the live changes and handlers.
import { createTwoFilesPatch } from 'diff';
import type { RemoteCounters, RemoteHost } from '../remote/index.js';
import { shellQuote } from '../remote/index.js';
import type { HostJob } from './host-job.js';
import { isEmpty, type HostChanges } from './host-changes.js';

export interface ApplyHostResult {
  host: string;
  role: string;
  status: 'unchanged' | 'changed' | 'planned' | 'failed' | 'manual';
  plan?: HostChanges;
  created: string[];
  updated: string[];
  live: string[];
  handlers: string[];
  skipped: string[];
  /** For a switch labsmith cannot push: the rendered config to paste, and where it is. */
  manual?: { path: string; note: string };
  error?: { kind: string; message: string };
  /** Unified diffs of the files to update or create (plan --diff). */
  diffs?: { path: string; patch: string }[];
  counters?: RemoteCounters;
}

export type StepListener = (host: string, text: string) => void;

export async function runHost(h: RemoteHost, job: HostJob, opts: { dryRun: boolean; diff?: boolean; onStep: StepListener; commandTimeoutMs?: number }): Promise<ApplyHostResult> {
  opts.onStep(job.host, 'reading state');
  const facts = await h.exec(job.factsArgv, { ...(opts.commandTimeoutMs ? { timeoutMs: opts.commandTimeoutMs } : {}) });
  if (facts.code !== 0) throw new Error(`reading state failed (exit ${facts.code}): ${facts.stderr.toString().trim().slice(0, 300)}`);
  const plan = job.plan(facts.stdout.toString());
  const result: ApplyHostResult = {
    host: job.host,
    role: job.render.role,
    status: opts.dryRun ? 'planned' : isEmpty(plan) ? 'unchanged' : 'changed',
    plan,
    created: plan.files.filter((f) => f.action === 'create').map((f) => f.file.path),
    updated: plan.files.filter((f) => f.action === 'update').map((f) => f.file.path),
    live: plan.live,
    handlers: [...(plan.daemonReload ? ['daemon-reload'] : []), ...plan.restarts.map((u) => `restart ${u}`)],
    skipped: plan.handlersSkipped ? [plan.handlersSkipped] : [],
  };
  if (opts.diff && plan.files.length) result.diffs = await diffs(h, plan);
  if (opts.dryRun || isEmpty(plan)) return result;

  let done = 0;
  for (const f of plan.files) {
    opts.onStep(job.host, `writing ${++done}/${plan.files.length} ${f.file.path}`);
    await h.writeFileAtomic(f.file.path, f.file.content, { mode: f.file.mode, owner: f.file.owner, group: f.file.group, backup: f.action === 'update', makeDirs: true });
  }

  const commands: string[][] = [
    ...(plan.temps.length ? [['rm', '-f', '--', ...plan.temps]] : []),
    ...plan.liveCommands,
    ...(plan.daemonReload ? [['systemctl', 'daemon-reload']] : []),
    // One restart at a time, in dependency order: each unit is up before the next starts.
    ...plan.restarts.map((u) => ['systemctl', 'restart', u]),
  ];
  if (commands.length) {
    opts.onStep(job.host, [...plan.live, ...result.handlers].join('; ') || 'removing leftovers');
    // One remote command: each step an argument list, quoted; the first failure stops the rest.
    const script = commands.map((c) => shellQuote(c)).join(' && ');
    const run = await h.exec(['sh', '-c', script], { ...(opts.commandTimeoutMs ? { timeoutMs: opts.commandTimeoutMs } : {}) });
    if (run.code !== 0) throw new Error(`converging failed (exit ${run.code}): ${run.stderr.toString().trim().slice(0, 300) || run.stdout.toString().trim().slice(0, 300)}`);
  }
  return result;
}

// Only plan --diff reads file contents back: a plain plan needs checksums alone.
async function diffs(h: RemoteHost, plan: HostChanges): Promise<{ path: string; patch: string }[]> {
  const sftp = await h.sftp();
  const read = (p: string) =>
    new Promise<string>((resolve, reject) => sftp.readFile(p, (err, data) => (err ? reject(err) : resolve(data.toString()))));
  const out: { path: string; patch: string }[] = [];
  for (const f of plan.files) {
    const label = `${plan.host}:${f.file.path}`;
    if (f.file.secret && f.reasons.includes('content')) {
      // A private key is never read back, diffed or printed: its size and checksum say enough.
      const bytes = Buffer.byteLength(f.file.content);
      out.push({ path: f.file.path, patch: `${label}: (secret, ${bytes} bytes, ${f.action === 'create' ? 'new' : 'sha256 changed'})\n` });
      continue;
    }
    const old = f.action === 'create' ? '' : await read(f.file.path).catch(() => '');
    const patch = createTwoFilesPatch(f.action === 'create' ? '/dev/null' : label, label, old, f.file.content, undefined, undefined, { context: 3 });
    out.push({ path: f.file.path, patch: f.reasons.includes('content') ? patch : `${label}: ${f.reasons.join(' and ')} differ${f.reasons.includes('mode') ? ` (want mode ${f.file.mode.toString(8)})` : ''}${f.reasons.includes('owner') ? ` (want ${f.file.owner}:${f.file.group})` : ''}\n` });
  }
  return out;
}
