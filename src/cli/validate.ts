import type { Command } from 'commander';
import { plural } from '../core/text.js';
import { formatDiagnostic, LabInputError, type Diagnostic } from '../lab/diagnostics.js';
import { EXIT } from './errors.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a lab file; exit 0 when valid, 2 when not (errors on stderr as FILE:LINE:COL)')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout: valid, errors, warnings, summary')
    .action(async (file: string, opts: { json?: boolean }) => {
      let diagnostics: Diagnostic[] = [];
      let summary: { nodes: number; minions: number; segments: number; routes: number; services: number; pods: number } | undefined;
      try {
        const { readLab } = await import('../lab/read.js');
        const { lab, warnings } = await readLab(file);
        diagnostics = warnings;
        summary = { nodes: lab.nodes.length, minions: lab.nodes.filter((n) => n.role === 'minion').length, segments: lab.segments.length, routes: lab.router.routes.length, services: lab.services.length, pods: lab.pods.length };
      } catch (err) {
        if (!(err instanceof LabInputError) || !opts.json) throw err;
        diagnostics = err.diagnostics;
      }
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const warnings = diagnostics.filter((d) => d.severity === 'warning');
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file, valid: errors.length === 0, errors, warnings, ...(summary ? { summary } : {}) }, null, 2) + '\n');
      } else {
        for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
        if (summary) {
          const counts = [plural(summary.nodes, 'node'), plural(summary.segments, 'segment'), plural(summary.routes, 'MLS route'), plural(summary.services, 'service'), plural(summary.pods, 'pod')];
          if (warnings.length) counts.push(plural(warnings.length, 'warning'));
          process.stdout.write(`${file}: valid (${counts.join(', ')})\n`);
        }
      }
      process.exitCode = errors.length ? EXIT.badInput : EXIT.ok;
    });
}
