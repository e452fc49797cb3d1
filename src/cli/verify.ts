// labsmith verify: prove the lab's network model holds on its hosts, layer by layer, and
// name the broken hop when it does not. The phases are loaded when the command runs.
import type { Command } from 'commander';
import type { Lab } from '../lab/types.js';
import type { VerifyReport } from '../verify/model.js';
import { PROBE_PORT } from '../verify/names.js';
import { EXIT } from './errors.js';
import { emulatedHint } from './emulated-hint.js';
import { checkOutputFile } from './output-paths.js';
import { readLabReporting } from './read-lab.js';

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
  if (flags.junit) checkOutputFile(flags.junit, '--junit');
  const lab = await readLabReporting(file);
  const hint = flags.emulated ? undefined : await emulatedHint(lab, 'verify');
  if (hint) process.stderr.write(`${hint.before}\n`);
  const report = await runVerify(lab, flags);
  if (hint && report.hosts.every((h) => h.ssh !== 'ok')) process.stderr.write(`${hint.after}\n`);
  process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
  return report;
}

/** verify with progress on stderr and the report on stdout. */
export async function runVerify(lab: Lab, flags: VerifyFlags): Promise<VerifyReport> {
  const report = await verifyWithProgress(lab, flags);
  const { verifyJson, verifyJunit } = await import('../verify/report.js');
  if (flags.junit) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(flags.junit, verifyJunit(report));
  }
  if (flags.json) process.stdout.write(JSON.stringify(verifyJson(report), null, 2) + '\n');
  else process.stdout.write(await verifyReportText(report, lab));
  return report;
}

/** verify with progress on stderr (none under --json); shared with `labsmith up`. */
export async function verifyWithProgress(lab: Lab, flags: VerifyFlags): Promise<VerifyReport> {
  const { verifyLab } = await import('../verify/run.js');
  const { makeProgress } = await import('./progress.js');
  const progress = await makeProgress({ json: Boolean(flags.json) });
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
export async function verifyReportText(report: VerifyReport, lab: Lab): Promise<string> {
  const { verifyText } = await import('../verify/report.js');
  const { useColor } = await import('./colors.js');
  const tty = Boolean(process.stdout.isTTY);
  return verifyText(report, lab, { color: useColor(), matrix: tty, width: process.stdout.columns || 120 });
}
