import type { Command } from 'commander';
import path from 'node:path';
import type { Handler } from '../render/types.js';
import { EXIT } from './errors.js';
import { checkOutputDir } from './output-paths.js';
import { readLabReporting } from './read-lab.js';

export function handlerText(h: Handler): string {
  return h.kind === 'daemon-reload' ? 'daemon-reload' : h.kind === 'restart' ? `restart ${h.unit}` : `network ${h.what}`;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render every config file of every host into DIR/<host>/<absolute path on that host>')
    .argument('<lab>', 'the lab file')
    .option('-o, --output <dir>', 'output directory (default: out/<lab name>/)')
    .option('--json', 'one JSON document on stdout listing the files written')
    .action(async (file: string, opts: { output?: string; json?: boolean }) => {
      if (opts.output !== undefined) checkOutputDir(opts.output, '--output');
      const lab = await readLabReporting(file);
      const dir = opts.output ?? path.join('out', lab.name);
      if (opts.output === undefined) checkOutputDir(dir, 'the output directory');
      const { ensurePki, needsPki } = await import('../pki/index.js');
      const { renderLab } = await import('../render/render.js');
      const { writeRender } = await import('../render/write.js');
      // A 1.x lab's PKI is made (or renewed) beside the lab first, so that what is written
      // here is what apply pushes.
      const pki = needsPki(lab) ? (await ensurePki(lab)).pki : undefined;
      const renders = renderLab(lab, { pki });
      const written = await writeRender(renders, dir);
      const total = written.length;
      if (opts.json) {
        let i = 0;
        const hosts = renders.map((h) => ({
          host: h.host,
          role: h.role,
          address: h.address,
          files: h.files.map((f) => {
            const w = written[i++]!;
            return { path: f.path, local: w.local, mode: `0${f.mode.toString(8)}`, owner: f.owner, group: f.group, secret: Boolean(f.secret), template: f.template, notifies: f.notifies.map(handlerText), bytes: w.bytes, sha256: w.sha256 };
          }),
        }));
        process.stdout.write(JSON.stringify({ lab: lab.name, dir, summary: { hosts: hosts.length, files: total }, hosts }, null, 2) + '\n');
      } else {
        const perHost = renders.map((h) => `${h.host} ${h.files.length}`).join(', ');
        process.stdout.write(`${dir}: ${total} files for ${renders.length} hosts (${perHost})\n`);
        const secrets = renders.reduce((n, h) => n + h.files.filter((f) => f.secret).length, 0);
        if (secrets) process.stdout.write(`${secrets} of them hold private keys (mode 0600): keep ${dir} private\n`);
      }
      process.exitCode = EXIT.ok;
    });
}
