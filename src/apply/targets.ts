// Where apply and verify connect: the lab's own hosts over SSH, or the emulated copy's hosts
// through their proxy commands.
import path from 'node:path';
import { emulatedTargets } from '../emulate/index.js';
import type { Lab } from '../lab/types.js';
import type { RemoteTarget } from '../remote/index.js';

export interface LabTarget extends RemoteTarget {
  role: 'master' | 'minion' | 'router' | 'outside';
}

/** The physical lab's state beside the lab file: known_hosts and configs to paste. */
export function physicalStateDir(lab: Lab): string {
  return path.join(path.dirname(path.resolve(lab.file)), '.labsmith', lab.name);
}

export async function labTargets(lab: Lab, opts: { emulated: boolean; includeRouter: boolean }): Promise<LabTarget[]> {
  const roleOf = (host: string): LabTarget['role'] => (host === lab.router.name ? 'router' : (lab.nodes.find((n) => n.name === host)?.role ?? 'outside'));
  if (opts.emulated) {
    const all = await emulatedTargets(lab);
    return all
      .filter((t) => t.kind !== 'outside' && (opts.includeRouter || t.host !== lab.router.name))
      .map((t) => ({ host: t.host, address: t.address, port: t.port, user: t.user, privateKeyPath: t.privateKeyPath, knownHostsPath: t.knownHostsPath, proxyCommand: t.proxyCommand, role: roleOf(t.host) }));
  }
  const knownHostsPath = path.join(physicalStateDir(lab), 'known_hosts');
  const base = { port: lab.ssh.port, user: lab.ssh.user, knownHostsPath, ...(lab.ssh.identityFile ? { identityFile: lab.ssh.identityFile } : {}) };
  const nodes: LabTarget[] = lab.nodes.map((n) => ({ ...base, host: n.name, address: n.address, role: n.role }));
  return opts.includeRouter ? [...nodes, { ...base, host: lab.router.name, address: lab.router.address, role: 'router' }] : nodes;
}
