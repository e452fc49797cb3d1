// The long and short forms of services' ports and workloads' containers, read one way:
// validation and the address plan both see a list, whatever the file wrote.
import type { LabFile } from './schema.js';
import type { ContainerPlan } from './types.js';
import type { Path } from './diagnostics.js';

type ServiceFile = LabFile['services'][number];
type WorkloadFile = LabFile['workloads'][number];

export interface ServicePortFile {
  name?: string;
  port: number;
  targetPort?: number;
  protocol: 'TCP' | 'UDP';
  nodePort?: number;
  /** Where the port's fields sit in the file: the list item, or the service for the shorthand. */
  path: Path;
}

export function servicePortsOf(s: ServiceFile, servicePath: Path = []): ServicePortFile[] {
  if (s.ports) return s.ports.map((p, j) => ({ ...p, path: [...servicePath, 'ports', j] }));
  return [{ port: s.port!, protocol: s.protocol ?? 'TCP', ...(s.targetPort !== undefined ? { targetPort: s.targetPort } : {}), ...(s.nodePort !== undefined ? { nodePort: s.nodePort } : {}), path: servicePath }];
}

/** The shorthand is one container named after the workload. */
export function containersOf(w: WorkloadFile): ContainerPlan[] {
  if (w.containers) return w.containers.map((c) => ({ name: c.name, ...(c.image !== undefined ? { image: c.image } : {}), ...(c.port !== undefined ? { port: c.port } : {}) }));
  return [{ name: w.name, ...(w.image !== undefined ? { image: w.image } : {}), ...(w.port !== undefined ? { port: w.port } : {}) }];
}
