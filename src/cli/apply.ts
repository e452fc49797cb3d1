// labsmith plan / apply: what would change on each host, and making it so.
import type { Command } from 'commander';
import { applyLab, type ApplyOptions, type ApplyReport } from '../apply/apply.js';
import type { Lab } from '../lab/types.js';
import { applyText, planText, reportJson } from '../apply/report.js';
import { readLab } from '../lab/read.js';
import { EXIT, UsageError } from './errors.js';
import { makeProgress } from './progress.js';
import { colors } from './colors.js';
import { formatDiagnostic } from '../lab/diagnostics.js';

interface Flags {
  emulated?: boolean;
  only?: string;
  concurrency?: string;
  dryRun?: boolean;
  json?: boolean;
  diff?: boolean;
  acceptNewHostKey?: string[];
}

export function registerApply(program: Command): void {
  program
    .command('plan')
    .description('what apply would change, host by host; writes nothing (one remote command per host)')
    .argument('<lab>', 'the lab file')
    .option('--emulated', "target the lab's emulated copy on this machine")
    .option('--diff', 'show unified diffs of file contents')
    .option('--only <hosts>', 'only these hosts, comma-separated')
    .option('--concurrency <n>', 'hosts worked on at once', '10')
    .option('--json', 'one JSON document on stdout')
    .action((file: string, flags: Flags) => run(file, { ...flags, dryRun: true }));
  program
    .command('apply')
    .description('push the rendered lab to its hosts and the switch over SSH; only what differs, atomically')
    .argument('<lab>', 'the lab file')
    .option('--emulated', "target the lab's emulated copy on this machine")
    .option('--only <hosts>', 'only these hosts, comma-separated')
    .option('--concurrency <n>', 'hosts worked on at once', '10')
    .option('--dry-run', 'plan only: show what would change, write nothing')
    .option('--json', 'one JSON document on stdout')
    .option('--accept-new-host-key <host...>', "accept a changed host key for these hosts (after checking why it changed)")
    .action((file: string, flags: Flags) => run(file, flags));
}

export async function run(file: string, flags: Flags): Promise<void> {
  const concurrency = Number(flags.concurrency ?? 10);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number from 1, not ${flags.concurrency}`);
  const { lab, warnings } = await readLab(file);
  for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  const report = await applyWithProgress(lab, {
    emulated: Boolean(flags.emulated),
    dryRun: Boolean(flags.dryRun),
    diff: Boolean(flags.diff),
    concurrency,
    ...(flags.only ? { only: flags.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(flags.acceptNewHostKey ? { acceptChangedHostKeys: flags.acceptNewHostKey } : {}),
  }, Boolean(flags.json));
  if (flags.json) process.stdout.write(JSON.stringify(reportJson(report), null, 2) + '\n');
  else process.stdout.write(flags.dryRun ? planText(report, colors) : applyText(report, colors));
  process.exitCode = report.totals.failed ? EXIT.failed : EXIT.ok;
}

/** applyLab with per-host progress on stderr (none under --json); shared with `labsmith up`. */
export async function applyWithProgress(lab: Lab, opts: ApplyOptions, json: boolean): Promise<ApplyReport> {
  const progress = makeProgress({ json });
  try {
    return await applyLab(lab, {
      ...opts,
      onStep: (host, text) => progress.step(host, text),
      onDone: (r) => progress.done(r.host, r.status !== 'failed', r.status === 'failed' ? `failed: ${r.error?.message.split('\n')[0]}` : r.status),
      onNote: (text) => progress.note(text),
    });
  } finally {
    progress.stop();
  }
}
