// The image a container runs when the lab file names none. The emulated lab's kubelet stand-in
// runs pods of this image as small web servers on the container's port, so the manifests and
// the emulated lab agree on what such a container is.
import type { ContainerPlan } from '../lab/types.js';

export const DEFAULT_WORKLOAD_IMAGE = 'labsmith/web';

/** The container's image, or labsmith/web:<port> when the lab names none. */
export function containerImage(c: ContainerPlan): string {
  return c.image ?? `${DEFAULT_WORKLOAD_IMAGE}:${c.port ?? 80}`;
}
