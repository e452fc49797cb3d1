// labsmith pki: the lab's certificates, brought up to date and listed. Never prints a key.
import type { Command } from 'commander';
import { EXIT } from './errors.js';
import { readLabReporting } from './read-lab.js';

export function registerPki(program: Command): void {
  program
    .command('pki')
    .description(
      "the lab's certificates (1.x labs), kept in .labsmith/<lab>/pki/ beside the lab file: creates what is missing, renews what expires within 30 days or no longer matches the lab (a node re-addressed), and lists each with its subject, SANs and expiry",
    )
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout (names, subjects, SANs, dates; never key material)')
    .action(async (file: string, opts: { json?: boolean }) => {
      const lab = await readLabReporting(file);
      const { ensurePki, needsPki, pkiDir, pkiJson, pkiText } = await import('../pki/index.js');
      if (!needsPki(lab)) {
        const why = `lab ${lab.name} is legacy: legacy labs have no PKI (the 2014-15 control plane speaks plain HTTP on port ${lab.kubernetes.apiserverPort}, as in 2015)`;
        if (opts.json) process.stdout.write(JSON.stringify({ lab: lab.name, legacy: true, dir: pkiDir(lab), note: why, entries: [] }, null, 2) + '\n');
        else process.stdout.write(`${why}\n`);
        process.exitCode = EXIT.ok;
        return;
      }
      const r = await ensurePki(lab);
      process.stdout.write(opts.json ? JSON.stringify(pkiJson(lab.name, r), null, 2) + '\n' : pkiText(lab.name, r));
      process.exitCode = EXIT.ok;
    });
}
