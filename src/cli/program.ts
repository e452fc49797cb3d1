// labsmith's command line. Each command lives in a file of its own and registers here.
import { Command, CommanderError } from 'commander';
import { EXIT, reportFatal } from './errors.js';
import { registerValidate } from './validate.js';
import { registerEmulate } from './emulate.js';
import { registerRender } from './render.js';
import { registerRoutes } from './routes.js';
import { registerProxy } from './proxy.js';
import { registerApply } from './apply.js';
import { registerUp } from './up.js';
import { registerVerify } from './verify.js';
import { registerPki } from './pki.js';
import { registerPreflight } from './preflight.js';
import { registerManifests } from './manifests.js';

export function buildProgram(): Command {
  const program = new Command('labsmith')
    .description('Rebuild a bare-metal Kubernetes networking lab from one file, or an emulated copy of it on this machine.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerValidate(program);
  registerEmulate(program);
  registerRender(program);
  registerRoutes(program);
  registerPki(program);
  registerProxy(program);
  registerPreflight(program);
  registerManifests(program);
  registerApply(program);
  registerUp(program);
  registerVerify(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    return reportFatal(err);
  }
}

