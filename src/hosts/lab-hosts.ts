// The hosts of a lab and how to reach them: the physical nodes and switch over SSH, or the
// emulated copy's hosts through their proxy commands. apply, verify and what follows read
// their hosts here and nowhere else.
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { labPaths } from '../emulate/paths.js';
import { labHealthy, readState, type EmuState } from '../emulate/state.js';
import { emulatedTargets } from '../emulate/targets.js';
import type { Lab } from '../lab/types.js';
import type { RemoteTarget } from '../remote/target.js';
import { physicalStateDir } from './state-dir.js';

export type HostRole = 'master' | 'minion' | 'router' | 'outside';

export interface LabHost extends RemoteTarget {
  role: HostRole;
}

export interface LabHostsOptions {
  emulated: boolean;
  /** Include the switch (apply pushes to it, verify reads its table). */
  router: boolean;
  /** Include the emulated lab's `outside` host (verify probes from it). */
  outside?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Nodes in lab order, then the router (when asked for), then outside (emulated only). */
export async function labHosts(lab: Lab, opts: LabHostsOptions): Promise<LabHost[]> {
  const roleOf = (host: string): HostRole => (host === lab.router.name ? 'router' : (lab.nodes.find((n) => n.name === host)?.role ?? 'outside'));
  if (opts.emulated) {
    // One read of the state: the targets come from it, and it is checked against the file.
    const state = await readState(labPaths(lab.name, opts.env).state);
    const all = await emulatedTargets(lab, opts.env, state);
    checkEmulatedAgainstLab(lab, all.map((t) => t.host), state);
    return all
      .filter((t) => (t.kind === 'router' ? opts.router : t.kind === 'outside' ? Boolean(opts.outside) : true))
      .map((t) => ({ host: t.host, address: t.address, port: t.port, user: t.user, privateKeyPath: t.privateKeyPath, knownHostsPath: t.knownHostsPath, proxyCommand: t.proxyCommand, role: t.kind === 'outside' ? 'outside' : roleOf(t.host) }));
  }
  const knownHostsPath = path.join(physicalStateDir(lab), 'known_hosts');
  const base = { port: lab.ssh.port, user: lab.ssh.user, knownHostsPath, ...(lab.ssh.identityFile ? { identityFile: lab.ssh.identityFile } : {}) };
  const nodes: LabHost[] = lab.nodes.map((n) => ({ ...base, host: n.name, address: n.address, role: n.role }));
  return opts.router ? [...nodes, { ...base, host: lab.router.name, address: lab.router.address, role: 'router' }] : nodes;
}

/** The running emulated lab must be this file's and have this file's hosts: otherwise apply
 * would push to hosts that are not there and verify would probe them. */
function checkEmulatedAgainstLab(lab: Lab, running: string[], state: EmuState | undefined): void {
  const file = path.resolve(lab.file);
  if (state?.file && state.file !== file) {
    throw new UsageError(`the emulated lab ${lab.name} was built from ${state.file}, not from ${file}`, `two lab files share the name ${lab.name}: rename one, or take the other down with labsmith down ${state.file}`);
  }
  const have = new Set(running);
  const missing = [...lab.nodes.map((n) => n.name), lab.router.name].filter((h) => !have.has(h));
  if (missing.length) {
    throw new UsageError(`the lab file names ${missing.join(', ')}, which the running emulated lab does not have`, `labsmith up ${lab.file} reconciles the emulated lab with the file`);
  }
}

/** Is the emulated copy of this lab up on this machine? (For the hint when a physical run
 * fails while only the copy exists.) */
export async function emulatedCopyUp(lab: Lab, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const state = await readState(labPaths(lab.name, env).state);
  return Boolean(state && labHealthy(state) && (!state.file || state.file === path.resolve(lab.file)));
}
