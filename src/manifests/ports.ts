// Which protocols a workload's container port serves: TCP always (the probes connect to it),
// and UDP too when a UDP service sends to the workload's pods on that port.
import type { Lab, WorkloadPlan } from '../lab/types.js';

export function containerProtocols(lab: Lab, w: WorkloadPlan): ('TCP' | 'UDP')[] {
  const pods = new Set(lab.pods.filter((p) => p.workload === w.name).map((p) => p.name));
  const udp = lab.services.some((s) => s.protocol === 'UDP' && s.endpoints.some((e) => pods.has(e.pod) && e.port === w.port));
  return udp ? ['TCP', 'UDP'] : ['TCP'];
}
