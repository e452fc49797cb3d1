import type { Command } from 'commander';
import type { ProxyForm } from '../proxy/index.js';
import { EXIT, UsageError } from './errors.js';
import { readLabReporting } from './read-lab.js';

// Kept here rather than imported, so that `--help` loads no phase.
const PROXY_FORMS: readonly ProxyForm[] = ['save', 'restore'];

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description("print what a node's kube-proxy programs, in the lab's version and proxy mode (iptables-save form by default)")
    .argument('<lab>', 'the lab file')
    .requiredOption('--node <node>', 'a minion of the lab (masters run no kube-proxy in these labs)')
    .option('--form <form>', `save: what iptables-save shows on the node; restore: what kube-proxy hands to iptables-restore (${PROXY_FORMS.join(', ')})`, 'save')
    .option('--json', 'one JSON document: chains, rules, jumps, both forms (and ipvs data)')
    .addHelpText(
      'after',
      [
        '',
        'userspace mode: the proxy ports are derived per node and service port (a real kube-proxy picks random ones).',
        'ipvs mode: kube-ipvs0 addresses, ipset save, ipvsadm-save -n and the iptables rules, each after a "# === NAME ===" line;',
        '  ipvs is rendered and read back on this machine, never run (its kernel has no IPVS and no dummy links).',
      ].join('\n'),
    )
    .action(async (file: string, opts: { node: string; form: string; json?: boolean }) => {
      if (!(PROXY_FORMS as readonly string[]).includes(opts.form)) throw new UsageError(`unknown form "${opts.form}"`, `valid forms: ${PROXY_FORMS.join(', ')}`);
      const lab = await readLabReporting(file);
      const { formatProgram, labProxyProgram, programJson } = await import('../proxy/index.js');
      const program = labProxyProgram(lab, opts.node);
      if (opts.json) process.stdout.write(JSON.stringify(programJson(program, lab.name), null, 2) + '\n');
      else process.stdout.write(formatProgram(program, opts.form as ProxyForm, lab.name));
      process.exitCode = EXIT.ok;
    });
}
