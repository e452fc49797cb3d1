// The image a workload runs when the lab file names none. The emulated lab's kubelet stand-in
// runs pods of this image as small web servers on the workload's port, so the manifests and
// the emulated lab agree on what such a workload is.
import type { WorkloadPlan } from '../lab/types.js';

export const DEFAULT_WORKLOAD_IMAGE = 'labsmith/web';

/** The workload's image, or labsmith/web:<port> when the lab names none. */
export function workloadImage(w: WorkloadPlan): string {
  return w.image ?? `${DEFAULT_WORKLOAD_IMAGE}:${w.port}`;
}
