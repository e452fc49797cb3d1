// How the remote layer reaches emulated hosts over SSH without touching the machine's root
// namespace: a proxy command that joins the host's network namespace and connects its
// stdin/stdout to the host's sshd (as OpenSSH's ProxyCommand does).
import { findProgram } from '../core/programs.js';
import { UsageError } from '../core/errors.js';
import type { Lab } from '../lab/types.js';
import { labPaths } from './paths.js';
import { preflightError } from './preflight.js';
import { notUp } from './exec.js';
import { hostAlive, readState, type EmuState } from './state.js';
import type { HostKind } from './topology.js';

export interface EmulatedTarget {
  /** Host name: a lab node, the router, or the outside host. */
  host: string;
  kind: HostKind;
  /** The lab address its sshd listens on (also the name in known_hosts). */
  address: string;
  port: number;
  user: 'root';
  /** The lab's private key (ed25519, OpenSSH format, no passphrase). */
  privateKeyPath: string;
  /** Every emulated host's key under its name and addresses. */
  knownHostsPath: string;
  /** argv to spawn without a shell; its stdin/stdout is the TCP stream to the host's sshd. */
  proxyCommand: string[];
  /** The host's network namespace. */
  netns: string;
}

/** One target per host (router first, then the nodes in lab order, then outside). Throws a
 * UsageError (exit 2) when the lab is not up or a host is not running. */
export async function emulatedTargets(lab: Lab, env: NodeJS.ProcessEnv = process.env, known?: EmuState): Promise<EmulatedTarget[]> {
  const paths = labPaths(lab.name, env);
  const state = known ?? (await readState(paths.state));
  if (!state || state.phase !== 'up') throw notUp(lab.name, lab.file);
  const dead = state.hosts.filter((h) => !hostAlive(h)).map((h) => h.name);
  if (dead.length) throw new UsageError(`lab ${lab.name} is up but ${dead.join(', ')} ${dead.length === 1 ? 'is' : 'are'} not running`, `labsmith down ${lab.file} && labsmith up ${lab.file}`);
  const tools = programs(env);
  return state.hosts.map((h) => ({
    host: h.name,
    kind: h.kind,
    address: h.address,
    port: state.sshPort,
    user: 'root' as const,
    privateKeyPath: paths.key,
    knownHostsPath: paths.knownHosts,
    proxyCommand: [tools.ip, 'netns', 'exec', h.netns, tools.socat, 'STDIO', `TCP:${h.address}:${state.sshPort}`],
    netns: h.netns,
  }));
}

function programs(env: NodeJS.ProcessEnv): { ip: string; socat: string } {
  const ip = findProgram('ip', env.PATH ?? '');
  const socat = findProgram('socat', env.PATH ?? '');
  if (ip && socat) return { ip, socat };
  const missing = [...(ip ? [] : ['ip not found in PATH (package iproute2)']), ...(socat ? [] : ['socat not found in PATH (package socat)'])];
  throw preflightError(missing, [...(ip ? [] : ['iproute2']), ...(socat ? [] : ['socat'])]);
}
