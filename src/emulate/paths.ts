// Where an emulated lab keeps its files. Keys and known_hosts outlive `down` (so a
// re-created lab keeps its host keys and the remote layer's known_hosts stays valid);
// everything under run/ and state.json is what `up` made and `down` removes.
import path from 'node:path';
import { packagePath } from '../core/package-root.js';

export const DEFAULT_STATE_BASE = '/var/lib/labsmith';

export interface LabPaths {
  /** <base>/<lab> */
  dir: string;
  /** The lab's SSH key: authorized for root on every emulated host. */
  key: string;
  keyPub: string;
  /** Host keys: <dir>/host-keys/<host>_ed25519{,.pub} */
  hostKeys: string;
  /** Every host's key under its name and addresses. */
  knownHosts: string;
  /** What up created (written before creating it). */
  state: string;
  /** Held while up or down works on the lab: the pid of that labsmith. */
  lock: string;
  /** Runtime files, removed by down: a tmpfs mounted by up (on disk with LABSMITH_RUN_ON_DISK=1). */
  run: string;
  /** The lab's snapshot of the machine's /etc: the read-only lower layer of every host's /etc. */
  etcLower: string;
}

export function stateBase(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LABSMITH_STATE_DIR || DEFAULT_STATE_BASE);
}

export function labPaths(lab: string, env: NodeJS.ProcessEnv = process.env): LabPaths {
  const dir = path.join(stateBase(env), lab);
  const run = path.join(dir, 'run');
  return {
    dir,
    key: path.join(dir, 'id_ed25519'),
    keyPub: path.join(dir, 'id_ed25519.pub'),
    hostKeys: path.join(dir, 'host-keys'),
    knownHosts: path.join(dir, 'known_hosts'),
    state: path.join(dir, 'state.json'),
    lock: path.join(dir, 'lock'),
    run,
    etcLower: path.join(run, 'etc.lower'),
  };
}

export const hostKeyPath = (p: LabPaths, host: string): string => path.join(p.hostKeys, `${host}_ed25519`);
export const hostDir = (p: LabPaths, host: string): string => path.join(p.run, 'hosts', host);

/** The holder every host starts as (shipped in the package's scripts/; it runs host-init.sh
 * beside it as the host's PID 1, which becomes systemd). */
export function hostLaunchScript(): string {
  return packagePath('scripts', 'emulate', 'host-launch.sh');
}
