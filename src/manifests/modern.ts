// The 1.x API objects: a v1 Service per service and a Deployment per workload, in the API
// group the lab's release serves Deployments from.
import type { Lab, ServicePlan, WorkloadPlan } from '../lab/types.js';
import { workloadImage } from './image.js';
import { containerProtocols } from './ports.js';
import type { ManifestObject } from './types.js';

// The plan puts every pod and service in the default namespace (the emulated lab's
// apiserver stand-in serves them there); naming it keeps `kubectl apply -f` from following
// whatever namespace the user's context happens to hold.
const NAMESPACE = 'default';

/**
 * Where a release serves Deployments: apps/v1 from 1.9, apps/v1beta2 in 1.8, apps/v1beta1 in
 * 1.6-1.7, extensions/v1beta1 in 1.2-1.5. Before 1.2 Deployments were off by default, so a
 * workload is a v1 ReplicationController there.
 */
export function workloadApi(lab: Lab): { apiVersion: string; kind: 'Deployment' | 'ReplicationController' } {
  const minor = lab.kubernetes.release[1];
  if (minor >= 9) return { apiVersion: 'apps/v1', kind: 'Deployment' };
  if (minor === 8) return { apiVersion: 'apps/v1beta2', kind: 'Deployment' };
  if (minor >= 6) return { apiVersion: 'apps/v1beta1', kind: 'Deployment' };
  if (minor >= 2) return { apiVersion: 'extensions/v1beta1', kind: 'Deployment' };
  return { apiVersion: 'v1', kind: 'ReplicationController' };
}

export function modernWorkload(lab: Lab, w: WorkloadPlan): ManifestObject {
  const { apiVersion, kind } = workloadApi(lab);
  const ports = containerProtocols(lab, w).map((protocol) => ({ containerPort: w.port, protocol }));
  const template = {
    metadata: { labels: { ...w.labels } },
    spec: { containers: [{ name: w.name, image: workloadImage(w), ports }] },
  };
  // A Deployment selects with matchLabels; a v1 ReplicationController with a plain map.
  const selector = kind === 'Deployment' ? { matchLabels: { ...w.labels } } : { ...w.labels };
  return {
    kind,
    name: w.name,
    object: {
      apiVersion,
      kind,
      metadata: { name: w.name, namespace: NAMESPACE, labels: { ...w.labels } },
      spec: { replicas: w.replicas, selector, template },
    },
  };
}

export function modernService(s: ServicePlan): ManifestObject {
  const port = {
    protocol: s.protocol,
    port: s.port,
    targetPort: s.targetPort,
    ...(s.type === 'NodePort' && s.nodePort !== undefined ? { nodePort: s.nodePort } : {}),
  };
  return {
    kind: 'Service',
    name: s.name,
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: NAMESPACE },
      // clusterIP (and nodePort) are the plan's, allocated or not: the rendered proxy rules,
      // the switch and the probes all expect the service at these addresses.
      spec: { type: s.type, clusterIP: s.clusterIP, selector: { ...s.selector }, ports: [port] },
    },
  };
}
