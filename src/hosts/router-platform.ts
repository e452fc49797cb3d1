// Which switch platform labsmith actually talks to: the lab's, or FRR for the emulated copy.
import type { Lab } from '../lab/types.js';

/** The platforms apply can push to (and verify can read back). */
export type PushPlatform = 'frr' | 'linux' | 'vyos';

/** The platform apply pushes to, or undefined when the config must be pasted by hand. The
 * emulated MLS always runs FRR, whatever platform the real switch has. */
export function pushPlatform(lab: Lab, emulated: boolean): PushPlatform | undefined {
  const p = lab.router.platform;
  // The emulated router is FRR on Linux: a Linux switch is pushed as Linux, any other as FRR.
  if (emulated) return p === 'linux' ? 'linux' : 'frr';
  return p === 'frr' || p === 'linux' || p === 'vyos' ? p : undefined;
}

/** How the switch's table is read back: VyOS is Linux underneath, its kernel table is read as
 * a Linux router's is. Undefined when labsmith cannot read the switch. */
export function readPlatform(lab: Lab, emulated: boolean): 'frr' | 'linux' | undefined {
  const p = pushPlatform(lab, emulated);
  return p === 'vyos' ? 'linux' : p;
}
