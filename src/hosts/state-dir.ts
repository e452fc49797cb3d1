import path from 'node:path';
import type { Lab } from '../lab/types.js';

/** The physical lab's state beside the lab file: known_hosts, the PKI, configs to paste. */
export function physicalStateDir(lab: Lab): string {
  return path.join(path.dirname(path.resolve(lab.file)), '.labsmith', lab.name);
}
