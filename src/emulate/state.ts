// state.json: what `up` created or is about to create, written before each step so that
// `down` can undo an up that failed or was killed halfway.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { alive, netnsInode, nsOf } from './proc.js';
import type { Hierarchy } from './cgroups.js';
import type { EmuBridge, EmuHost, Topology } from './topology.js';

export interface HostState extends EmuHost {
  /** Runtime directory of the host (upper/work dirs, private fs, init log). */
  dir: string;
  /** Pid of `ip netns exec ... unshare` (in the root pid namespace), once spawned. */
  holderPid?: number;
  /** Pid of the host's PID 1 (the init script) as seen from the root pid namespace. */
  initPid?: number;
  /** When its systemd said running (or degraded). */
  bootedAt?: string;
  /** Mounts inside the host's own mount namespace: they vanish with it. */
  mounts: string[];
}

export interface EmuState {
  version: 1;
  lab: string;
  file: string;
  phase: 'starting' | 'up';
  /** pid of the labsmith that ran up */
  pid: number;
  startedAt: string;
  readyAt?: string;
  stateDir: string;
  runDir: string;
  fabric: string;
  bridges: EmuBridge[];
  uplink: Topology['uplink'];
  sshPort: number;
  /** run/ is a tmpfs mounted by up (unless LABSMITH_RUN_ON_DISK=1). */
  runTmpfs: boolean;
  /** Where the hosts' cgroups are: <hierarchy mount><base>/<lab>/<host>. */
  cgroups: { base: string; hierarchies: Hierarchy[] };
  hosts: HostState[];
}

export async function readState(file: string): Promise<EmuState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as EmuState;
    return s && s.version === 1 && Array.isArray(s.hosts) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Serialised, atomic writes (temp file + rename) of one state object. */
export class StateWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string, readonly state: EmuState) {}

  save(): Promise<void> {
    const text = JSON.stringify(this.state, null, 2) + '\n';
    this.chain = this.chain.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.chain;
  }
}

/** Every host's PID 1 alive in its own namespace. */
export function labHealthy(state: EmuState): boolean {
  return state.phase === 'up' && state.hosts.every((h) => hostAlive(h));
}

export function hostAlive(h: HostState): boolean {
  if (!alive(h.initPid)) return false;
  const ino = netnsInode(h.netns);
  return ino !== undefined && nsOf(h.initPid!, 'net') === `net:[${ino}]`;
}
