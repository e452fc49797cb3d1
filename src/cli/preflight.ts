// labsmith preflight: is each node fit to receive the lab? One remote command per node; a
// table, each failure's fix, exit 1 on any failure. The phases are loaded when it runs.
import type { Command } from 'commander';
import { EXIT } from './errors.js';
import { CONCURRENCY_HELP, parseConcurrency } from './options.js';
import { readLabReporting } from './read-lab.js';

interface Flags {
  emulated?: boolean;
  concurrency?: number;
  json?: boolean;
  acceptNewHostKey?: string[];
}

export function registerPreflight(program: Command): void {
  program
    .command('preflight')
    .description("check each node before apply: OS, systemd, swap, br_netfilter, forwarding, ports, clock, docker0, FORWARD policy, binaries, cgroup (one remote command per node)")
    .argument('<lab>', 'the lab file')
    .option('--emulated', "check the lab's emulated copy on this machine")
    .option('--concurrency <n>', CONCURRENCY_HELP, parseConcurrency, 10)
    .option('--json', 'one JSON document on stdout')
    .option('--accept-new-host-key <host...>', 'accept a changed host key for these hosts (after checking why it changed)')
    .action((file: string, flags: Flags) => run(file, flags));
}

async function run(file: string, flags: Flags): Promise<void> {
  const lab = await readLabReporting(file);
  const { preflightLab } = await import('../apply/preflight-run.js');
  const { preflightJson, preflightText } = await import('../apply/preflight-report.js');
  const report = await preflightLab(lab, {
    emulated: Boolean(flags.emulated),
    concurrency: flags.concurrency ?? 10,
    ...(flags.acceptNewHostKey ? { acceptChangedHostKeys: flags.acceptNewHostKey } : {}),
  });
  if (flags.json) process.stdout.write(JSON.stringify(preflightJson(report), null, 2) + '\n');
  else {
    const { colors } = await import('./colors.js');
    process.stdout.write(preflightText(report, colors));
  }
  process.exitCode = report.totals.fail ? EXIT.failed : EXIT.ok;
}
