import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { PLATFORMS, type Platform } from '../lab/constants.js';
import type { Capture } from '../render/index.js';
import { CAPTURE_COMMANDS } from '../render/router/against.js';
import { EXIT, UsageError } from './errors.js';
import { readLabReporting } from './read-lab.js';

const HELP = `
Every platform keys a static route on its prefix and next hop, so pasting today's routes
over yesterday's adds the new ones and leaves the old. labsmith marks its routes (tag 4242
and name labsmith-<node> on ios, nxos, eos; tag 4242 on frr and junos; description or
comment "labsmith: <node>" on vyos and routeros; proto 44 on linux) and, given the
previous configuration with --against FILE, renders the removal of its routes the lab no
longer has. Routes without the mark are never removed.

--against FILE is labsmith's previous rendering for the platform, or what the switch shows:
${PLATFORMS.map((p) => `  ${p.padEnd(9)}${CAPTURE_COMMANDS[p]}`).join('\n')}

The linux script and the routeros import converge by themselves (they drop labsmith's other
routes on every run). junos prints set and delete lines and a commit, to paste in
configuration mode (the file render writes for \`load set\` has no commit); vyos prints a
vbash script that commits and saves. ios, nxos and eos save only with --save.`;

export function registerRoutes(program: Command): void {
  program
    .command('routes')
    .description("print the switch's static routes (each node's docker0 subnet via the node) in a router's own syntax")
    .argument('<lab>', 'the lab file')
    .option('--platform <platform>', `router platform: ${PLATFORMS.join(', ')} (default: the lab's router.platform)`)
    .option('--against <file>', "the switch's previous configuration: also remove labsmith's routes in it that the lab no longer has")
    .option('--save', 'ios, nxos, eos: end with the command that saves the running configuration (write memory)')
    .addHelpText('after', HELP)
    .action(async (file: string, opts: { platform?: string; against?: string; save?: boolean }) => {
      if (opts.platform !== undefined && !(PLATFORMS as readonly string[]).includes(opts.platform)) {
        throw new UsageError(`unknown platform "${opts.platform}"`, `valid platforms: ${PLATFORMS.join(', ')}`);
      }
      const lab = await readLabReporting(file);
      const { planAgainst, readAgainst } = await import('../render/router/against.js');
      const { renderRoutes } = await import('../render/render.js');
      const platform = (opts.platform ?? lab.router.platform) as Platform;
      let against: { file: string; capture: Capture } | undefined;
      if (opts.against !== undefined) {
        let text: string;
        try {
          text = await readFile(opts.against, 'utf8');
        } catch (err) {
          throw new UsageError(`--against ${opts.against}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        against = { file: opts.against, capture: readAgainst(platform, text, opts.against) };
        for (const r of planAgainst(lab.router.routes, against.capture, opts.against).foreign) {
          process.stderr.write(`labsmith: note: ${opts.against} also routes ${r.prefix} via ${r.via}, without labsmith's mark: left alone (remove it by hand if it is stale)\n`);
        }
      }
      process.stdout.write(renderRoutes(lab, platform, { ...(against ? { against } : {}), save: Boolean(opts.save) }));
      process.exitCode = EXIT.ok;
    });
}
