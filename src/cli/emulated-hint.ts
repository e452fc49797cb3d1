// A physical run while only the emulated copy of the lab is up usually means --emulated was
// forgotten: say so before connecting, and again if every host then failed.
import type { Lab } from '../lab/types.js';

export interface EmulatedHint {
  before: string;
  after: string;
}

export async function emulatedHint(lab: Lab, command: string): Promise<EmulatedHint | undefined> {
  const { emulatedCopyUp } = await import('../hosts/lab-hosts.js');
  if (!(await emulatedCopyUp(lab))) return undefined;
  const run = `labsmith ${command} ${lab.file} --emulated`;
  return {
    before: `note: the emulated copy of ${lab.name} is up on this machine; without --emulated, ${command} goes to the lab's real hosts (${lab.nodes[0]!.address}, ...). The copy: ${run}`,
    after: `every host failed: the real hosts of ${lab.name} are not reachable from here, but its emulated copy is up: ${run}`,
  };
}
