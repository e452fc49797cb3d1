// labsmith manifests: the lab's workloads and services as the era's API objects, written to
// DIR (default out/<lab>/manifests) for `kubectl create -f DIR`. The phase is loaded when the
// command runs.
import type { Command } from 'commander';
import { EXIT } from './errors.js';
import { checkOutputDir } from './output-paths.js';
import { readLabReporting } from './read-lab.js';

export function registerManifests(program: Command): void {
  program
    .command('manifests')
    .description(
      "write the lab's workloads and services as API objects of its era into DIR: v1beta1 Pods, ReplicationControllers and Services (JSON) for legacy labs, v1 Services and Deployments (YAML) for 1.x labs",
    )
    .argument('<lab>', 'the lab file')
    .option('-o, --output <dir>', 'output directory (default: out/<lab name>/manifests)')
    .option('--json', 'one JSON document on stdout listing the files written')
    .action(async (file: string, opts: { output?: string; json?: boolean }) => {
      if (opts.output !== undefined) checkOutputDir(opts.output, '-o');
      const lab = await readLabReporting(file);
      const path = await import('node:path');
      const dir = opts.output ?? path.join('out', lab.name, 'manifests');
      if (opts.output === undefined) checkOutputDir(dir, 'the output directory');
      const { labManifests } = await import('../manifests/index.js');
      const { writeManifests } = await import('../manifests/write.js');
      const { written, stale } = writeManifests(labManifests(lab), dir);
      if (opts.json) {
        const files = written.map((w) => ({ file: w.file, local: w.local, kind: w.kind, name: w.name, apiVersion: w.apiVersion, bytes: w.bytes, sha256: w.sha256 }));
        process.stdout.write(JSON.stringify({ lab: lab.name, dialect: lab.kubernetes.dialect, dir, files, stale }, null, 2) + '\n');
      } else {
        const { plural, table } = await import('../core/text.js');
        process.stdout.write(`${dir}: ${plural(written.length, 'object')} of lab ${lab.name} (${lab.kubernetes.dialect === 'legacy' ? 'v1beta1, as in 2015' : `Kubernetes ${lab.kubernetes.version}`})\n`);
        if (written.length) process.stdout.write(table([['FILE', 'KIND', 'API', 'NAME'], ...written.map((w) => [w.file, w.kind, w.apiVersion, w.name])]) + '\n');
      }
      for (const s of stale) process.stderr.write(`labsmith: ${s} is from an earlier run and no longer in the lab; remove it before \`kubectl create -f ${dir}\`\n`);
      process.exitCode = EXIT.ok;
    });
}
