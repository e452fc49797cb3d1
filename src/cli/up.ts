// labsmith up: the emulated lab from nothing to proven: emulate up, apply, verify. Running
// it again converges and proves again.
import type { Command } from 'commander';
import { applyWithProgress } from './apply.js';
import { buildEmulated } from './emulate.js';
import { EXIT } from './errors.js';
import { CONCURRENCY_HELP, parseConcurrency } from './options.js';
import { verifyReportText, verifyWithProgress } from './verify.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('the emulated lab: build it (emulate up), apply the lab to it, verify it; exit 1 when apply or verify fails')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout: emulate, apply and verify')
    .option('--concurrency <n>', CONCURRENCY_HELP, parseConcurrency)
    .action(async (file: string, opts: { json?: boolean; concurrency?: number }) => {
      const json = Boolean(opts.json);
      const built = await buildEmulated(file, opts);
      if (!json) process.stdout.write(built.text);
      const applied = await applyWithProgress(built.lab, { emulated: true, dryRun: false, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) }, json);
      const { applyText, reportJson } = await import('../apply/report.js');
      const { colors } = await import('./colors.js');
      if (!json) process.stdout.write(`\napply:\n${applyText(applied, colors)}\n`);
      // Verify even after a failed apply: it says which hop the failure left broken.
      const verified = await verifyWithProgress(built.lab, { emulated: true, json });
      if (json) {
        const { verifyJson } = await import('../verify/report.js');
        process.stdout.write(JSON.stringify({ emulate: built.json, apply: reportJson(applied), verify: verifyJson(verified) }, null, 2) + '\n');
      } else process.stdout.write(`verify:\n${await verifyReportText(verified, built.lab)}`);
      process.exitCode = applied.totals.failed || !verified.ok ? EXIT.failed : EXIT.ok;
    });
}
