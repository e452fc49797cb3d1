// Which protocols a container port serves: TCP always (the probes connect to it), and UDP too
// when a UDP service port sends to the workload's pods on that port.
import type { Lab, WorkloadPlan } from '../lab/types.js';

export function containerProtocols(lab: Lab, w: WorkloadPlan, port: number): ('TCP' | 'UDP')[] {
  const pods = new Set(lab.pods.filter((p) => p.workload === w.name).map((p) => p.name));
  const udp = lab.services.some((s) => s.ports.some((sp) => sp.protocol === 'UDP' && sp.endpoints.some((e) => pods.has(e.pod) && e.port === port)));
  return udp ? ['TCP', 'UDP'] : ['TCP'];
}
