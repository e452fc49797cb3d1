// labsmith verify: prove the lab's network model holds on its hosts, layer by layer, and
// name the broken hop when it does not.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatDiagnostic } from '../lab/diagnostics.js';
import { readLab } from '../lab/read.js';
import type { Lab } from '../lab/types.js';
import type { VerifyReport } from '../verify/model.js';
import { PROBE_PORT } from '../verify/names.js';
import { verifyJson, verifyJunit, verifyText } from '../verify/report.js';
import { verifyLab } from '../verify/run.js';
import { useColor } from './colors.js';
import { EXIT } from './errors.js';
import { makeProgress } from './progress.js';

export interface VerifyFlags {
  emulated?: boolean;
  json?: boolean;
  junit?: string;
  cleanup?: boolean;
  acceptNewHostKey?: string[];
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('prove the network works: underlay, the MLS table, docker0, pod-to-pod without NAT, services; one probe command per host')
    .argument('<lab>', 'the lab file')
    .option('--emulated', "verify the lab's emulated copy on this machine")
    .option('--json', 'one JSON document on stdout: every check with layer, source, target, result, RTT, diagnosis')
    .option('--junit <file>', 'also write the checks as JUnit XML to FILE (for CI)')
    .option('--cleanup', 'remove the probe pods from the minions afterwards (they are reused otherwise)')
    .option('--accept-new-host-key <host...>', 'accept a changed host key for these hosts (after checking why it changed)')
    .addHelpText(
      'after',
      [
        '',
        `Probe pods: on every minion, one network namespace per pod of the lab (lsmpod-<pod>), a veth`,
        `pair into docker0 (lsmv<hash>), the pod's planned address, docker0's address as gateway. One`,
        `python3 listener per node answers on port ${PROBE_PORT} in every pod (and on a workload pod's`,
        `port) with the address it saw, which proves pod traffic is not NATed. They stay for the next`,
        `run; --cleanup removes them, and so does \`labsmith down\` on the emulated lab.`,
        'Exit status: 0 every check passed, 1 a check failed or a host was unreachable, 2 bad input.',
      ].join('\n'),
    )
    .action(async (file: string, flags: VerifyFlags) => {
      await verifyAction(file, flags);
    });
}

export async function verifyAction(file: string, flags: VerifyFlags): Promise<VerifyReport> {
  const { lab, warnings } = await readLab(file);
  for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  const report = await runVerify(lab, flags);
  process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
  return report;
}

/** verify with progress on stderr and the report on stdout. */
export async function runVerify(lab: Lab, flags: VerifyFlags): Promise<VerifyReport> {
  const report = await verifyWithProgress(lab, flags);
  if (flags.junit) await writeFile(flags.junit, verifyJunit(report));
  if (flags.json) process.stdout.write(JSON.stringify(verifyJson(report), null, 2) + '\n');
  else process.stdout.write(verifyReportText(report, lab));
  return report;
}

/** verify with progress on stderr (none under --json); shared with `labsmith up`. */
export async function verifyWithProgress(lab: Lab, flags: VerifyFlags): Promise<VerifyReport> {
  const progress = makeProgress({ json: Boolean(flags.json) });
  try {
    return await verifyLab(lab, {
      emulated: Boolean(flags.emulated),
      cleanup: Boolean(flags.cleanup),
      ...(flags.acceptNewHostKey ? { acceptChangedHostKeys: flags.acceptNewHostKey } : {}),
      onStep: (host, text) => (text === 'done' ? progress.done(host, true, 'probed') : progress.step(host, text)),
      onNote: (text) => progress.note(text),
    });
  } finally {
    progress.stop();
  }
}

/** The human report: a matrix on a terminal, plain lines otherwise. */
export function verifyReportText(report: VerifyReport, lab: Lab): string {
  const tty = Boolean(process.stdout.isTTY);
  return verifyText(report, lab, { color: useColor(), matrix: tty, width: process.stdout.columns || 120 });
}
