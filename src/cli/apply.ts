// labsmith plan / apply: what would change on each host, and making it so. The phases are
// loaded when the command runs.
import type { Command } from 'commander';
import type { ApplyOptions, ApplyReport } from '../apply/apply.js';
import type { Lab } from '../lab/types.js';
import { EXIT } from './errors.js';
import { emulatedHint } from './emulated-hint.js';
import { CONCURRENCY_HELP, parseConcurrency } from './options.js';
import { readLabReporting } from './read-lab.js';

interface Flags {
  emulated?: boolean;
  only?: string;
  concurrency?: number;
  dryRun?: boolean;
  json?: boolean;
  diff?: boolean;
  acceptNewHostKey?: string[];
  preflight?: boolean;
}

export function registerApply(program: Command): void {
  program
    .command('plan')
    .description('what apply would change, host by host; writes nothing (one remote command per host)')
    .argument('<lab>', 'the lab file')
    .option('--emulated', "target the lab's emulated copy on this machine")
    .option('--diff', 'show unified diffs of file contents')
    .option('--only <hosts>', 'only these hosts, comma-separated')
    .option('--concurrency <n>', CONCURRENCY_HELP, parseConcurrency, 10)
    .option('--json', 'one JSON document on stdout')
    .action((file: string, flags: Flags) => run(file, { ...flags, dryRun: true }));
  program
    .command('apply')
    .description('push the rendered lab to its hosts and the switch over SSH; only what differs, atomically')
    .argument('<lab>', 'the lab file')
    .option('--emulated', "target the lab's emulated copy on this machine")
    .option('--only <hosts>', 'only these hosts, comma-separated')
    .option('--concurrency <n>', CONCURRENCY_HELP, parseConcurrency, 10)
    .option('--dry-run', 'plan only: show what would change, write nothing')
    .option('--json', 'one JSON document on stdout')
    .option('--accept-new-host-key <host...>', "accept a changed host key for these hosts (after checking why it changed)")
    .option('--preflight', 'run labsmith preflight first and apply nothing when a check fails (one more remote command per node)')
    .action((file: string, flags: Flags) => run(file, flags));
}

export async function run(file: string, flags: Flags): Promise<void> {
  const lab = await readLabReporting(file);
  const command = flags.dryRun ? 'plan' : 'apply';
  const hint = flags.emulated ? undefined : await emulatedHint(lab, command);
  if (hint) process.stderr.write(`${hint.before}\n`);
  if (flags.preflight && !(await preflightPasses(lab, flags))) {
    process.exitCode = EXIT.failed;
    return;
  }
  const report = await applyWithProgress(lab, {
    emulated: Boolean(flags.emulated),
    dryRun: Boolean(flags.dryRun),
    diff: Boolean(flags.diff),
    concurrency: flags.concurrency ?? 10,
    ...(flags.only ? { only: flags.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(flags.acceptNewHostKey ? { acceptChangedHostKeys: flags.acceptNewHostKey } : {}),
  }, Boolean(flags.json));
  const { applyText, planText, reportJson } = await import('../apply/report.js');
  const { colors } = await import('./colors.js');
  if (flags.json) process.stdout.write(JSON.stringify(reportJson(report), null, 2) + '\n');
  else process.stdout.write(flags.dryRun ? planText(report, colors) : applyText(report, colors));
  if (hint && report.hosts.every((h) => h.status === 'failed' || h.status === 'manual')) process.stderr.write(`${hint.after}\n`);
  process.exitCode = report.totals.failed ? EXIT.failed : EXIT.ok;
}

/** applyLab with per-host progress on stderr (none under --json); shared with `labsmith up`. */
export async function applyWithProgress(lab: Lab, opts: ApplyOptions, json: boolean): Promise<ApplyReport> {
  const { applyLab } = await import('../apply/apply.js');
  const { makeProgress } = await import('./progress.js');
  const progress = await makeProgress({ json });
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

// Opt-in: preflight reads more than apply's own facts (ports, clocks, --version of every
// binary), and a no-op apply stays at one remote command per host without it.
async function preflightPasses(lab: Lab, flags: Flags): Promise<boolean> {
  const { preflightLab } = await import('../apply/preflight-run.js');
  const { preflightText } = await import('../apply/preflight-report.js');
  const { stderrColors } = await import('./colors.js');
  const report = await preflightLab(lab, { emulated: Boolean(flags.emulated), concurrency: flags.concurrency ?? 10, ...(flags.acceptNewHostKey ? { acceptChangedHostKeys: flags.acceptNewHostKey } : {}) });
  if (report.totals.fail) process.stderr.write(preflightText(report, stderrColors) + 'apply: nothing applied; fix the failures above, or apply without --preflight\n');
  return report.totals.fail === 0;
}
