// labsmith emulate up|down|status|exec, and the lab-level up and down (emulate up now;
// apply and verify join up as they land).
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { plural } from '../core/text.js';
import { aptPackages, preflight } from '../emulate/preflight.js';
import { LabInputError } from '../lab/diagnostics.js';
import type { Lab } from '../lab/types.js';
import { parseConcurrency } from './options.js';
import { EXIT } from './errors.js';

export function registerEmulate(program: Command): void {
  const emulate = program
    .command('emulate')
    .description('the emulated lab: every host a set of namespaces on this machine, with real sshd and FRR')
    .addHelpText('after', () =>
      [
        '',
        'Needs root, Linux and: apt-get install -y ' + aptPackages().join(' '),
        'State: /var/lib/labsmith/<lab>/ (base changed by LABSMITH_STATE_DIR): the lab\'s SSH key',
        '(id_ed25519), host keys and known_hosts stay across down; run/ (a tmpfs; on disk with',
        'LABSMITH_RUN_ON_DISK=1) and state.json are what up made and down removes.',
      ].join('\n'),
    );

  emulate
    .command('up')
    .description('build the emulated lab, or reconcile the running one with the lab file (new hosts and segments built, gone ones removed, changed addresses moved, the rest kept running)')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout')
    .option('--concurrency <n>', 'hosts started at once', parseConcurrency)
    .option('--keep-on-failure', 'leave what a failed up made, for inspection (labsmith down removes it)')
    .action(upAction);

  emulate
    .command('down')
    .description('remove every namespace, process, mount and runtime file of the emulated lab (keys stay)')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout')
    .action(downAction);

  emulate
    .command('status')
    .description('hosts, addresses, daemons and health of the emulated lab; exit 1 when not healthy')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout')
    .action(async (file: string, opts: { json?: boolean }) => {
      const name = await labName(file);
      const { emulateStatus, formatStatus } = await import('../emulate/status.js');
      const s = await emulateStatus(name);
      if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else process.stdout.write(formatStatus(s, file));
      process.exitCode = s.status === 'up' ? EXIT.ok : EXIT.failed;
    });

  emulate
    .command('exec')
    .description('run a command inside an emulated host (its files, name, addresses, processes); exit status passed through')
    .argument('<lab>', 'the lab file')
    .argument('<host>', 'a node, the router, or the outside host')
    .argument('[command...]', 'the command (after --); default: an interactive shell')
    .allowUnknownOption()
    .action(async (file: string, hostName: string, command: string[]) => {
      const tools = preflight();
      const { readLab } = await import('../lab/read.js');
      const { execInHost, runningHost } = await import('../emulate/exec.js');
      const { lab } = await readLab(file);
      const host = await runningHost(lab.name, hostName, file);
      process.exitCode = await execInHost(tools.nsenter, host, command.length ? command : ['bash', '-l']);
    });

  program
    .command('down')
    .description('tear the emulated lab down (emulate down): every namespace, process, mount and runtime file it made, probe pods included')
    .argument('<lab>', 'the lab file')
    .option('--json', 'one JSON document on stdout')
    .action(downAction);
}

async function upAction(file: string, opts: { json?: boolean; concurrency?: number; keepOnFailure?: boolean }): Promise<void> {
  const built = await buildEmulated(file, opts);
  if (opts.json) process.stdout.write(JSON.stringify(built.json, null, 2) + '\n');
  else process.stdout.write(built.text);
  process.exitCode = EXIT.ok;
}

/** emulate up, for `emulate up` and `up`: the lab, and what to print of it. */
export async function buildEmulated(file: string, opts: { json?: boolean; concurrency?: number; keepOnFailure?: boolean }): Promise<{ lab: Lab; json: unknown; text: string }> {
  const tools = preflight();
  const { readLab } = await import('../lab/read.js');
  const { emulateUp } = await import('../emulate/up.js');
  const { emulateStatus, formatStatus } = await import('../emulate/status.js');
  const { lab } = await readLab(file);
  const progress = !opts.json && process.stderr.isTTY;
  const r = await emulateUp(lab, {
    tools,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.keepOnFailure ? { keepOnFailure: true } : {}),
    ...(progress ? { log: (l: string) => process.stderr.write(`  ${l}\n`) } : {}),
  });
  const status = await emulateStatus(lab.name);
  const text = [
    r.already
      ? `${lab.name} is already up as ${file} describes it; nothing to do\n`
      : r.reconciled
        ? `${lab.name}: reconciled with ${file} in ${(r.ms / 1000).toFixed(1)} s (${plural(r.changes.length, 'change')}; the rest kept running):\n${r.changes.map((c) => `  ${c}\n`).join('')}`
        : `${lab.name}: up in ${(r.ms / 1000).toFixed(1)} s (${r.state.hosts.length} hosts)${r.cleaned ? ', after cleaning up an earlier up' : ''}\n`,
    formatStatus(status, file),
    `  ssh key: ${r.state.stateDir}/id_ed25519   known_hosts: ${r.state.stateDir}/known_hosts\n`,
    `  run a command on a host: labsmith emulate exec ${file} ${r.state.hosts[1]?.name ?? r.state.hosts[0]!.name} -- CMD\n`,
  ].join('');
  return { lab, json: { lab: lab.name, already: r.already, cleaned: r.cleaned, reconciled: r.reconciled, changes: r.changes, ms: Math.round(r.ms), timings: r.timings, status }, text };
}

async function downAction(file: string, opts: { json?: boolean }): Promise<void> {
  const tools = preflight();
  const name = await labName(file);
  const { emulateDown } = await import('../emulate/down.js');
  const r = await emulateDown(name, { ip: tools.ip });
  if (opts.json) process.stdout.write(JSON.stringify({ ...r, ms: Math.round(r.ms) }, null, 2) + '\n');
  else if (!r.found) process.stdout.write(`${name} is not up; nothing to do\n`);
  else process.stdout.write(`${name}: down in ${(r.ms / 1000).toFixed(1)} s (${r.netns.length} namespaces, ${r.killed} processes ended)\n`);
  process.exitCode = EXIT.ok;
}

/** The lab's name; down and status still work when the file no longer validates. */
async function labName(file: string): Promise<string> {
  let lab: Lab;
  const { readLab } = await import('../lab/read.js');
  try {
    lab = (await readLab(file)).lab;
    return lab.name;
  } catch (err) {
    if (!(err instanceof LabInputError)) throw err;
    const { parse } = await import('yaml');
    const raw = parse(await readFile(file, 'utf8')) as { name?: unknown } | null;
    if (raw && typeof raw.name === 'string' && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(raw.name)) return raw.name;
    throw err;
  }
}

