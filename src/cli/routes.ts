import type { Command } from 'commander';
import { readLab } from '../lab/read.js';
import { PLATFORMS, type Platform } from '../lab/schema.js';
import { renderRoutes } from '../render/render.js';
import { EXIT, UsageError } from './errors.js';

export function registerRoutes(program: Command): void {
  program
    .command('routes')
    .description("print the switch's static routes (each node's docker0 subnet via the node) in a router's own syntax")
    .argument('<lab>', 'the lab file')
    .option('--platform <platform>', `router platform: ${PLATFORMS.join(', ')} (default: the lab's router.platform)`)
    .action(async (file: string, opts: { platform?: string }) => {
      if (opts.platform !== undefined && !(PLATFORMS as readonly string[]).includes(opts.platform)) {
        throw new UsageError(`unknown platform "${opts.platform}"`, `valid platforms: ${PLATFORMS.join(', ')}`);
      }
      const { lab } = await readLab(file);
      process.stdout.write(renderRoutes(lab, opts.platform as Platform | undefined));
      process.exitCode = EXIT.ok;
    });
}
