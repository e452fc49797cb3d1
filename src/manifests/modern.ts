// The 1.x API objects: a v1 Service per service and a Deployment per workload, in the API
// group the lab's release serves Deployments from.
import type { Lab, ServicePlan, WorkloadPlan } from '../lab/types.js';
import { containerImage } from './image.js';
import { containerProtocols } from './ports.js';
import type { ManifestObject } from './types.js';

// Every object names its namespace ("default" included), so that `kubectl apply -f` does not
// follow whatever namespace the user's context happens to hold.

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
  const containers = w.containers.map((c) => ({
    name: c.name,
    image: containerImage(c),
    ...(c.port !== undefined ? { ports: containerProtocols(lab, w, c.port).map((protocol) => ({ containerPort: c.port, protocol })) } : {}),
  }));
  const template = { metadata: { labels: { ...w.labels } }, spec: { containers } };
  // A Deployment selects with matchLabels; a v1 ReplicationController with a plain map.
  const selector = kind === 'Deployment' ? { matchLabels: { ...w.labels } } : { ...w.labels };
  return {
    kind,
    name: w.name,
    namespace: w.namespace,
    object: {
      apiVersion,
      kind,
      metadata: { name: w.name, namespace: w.namespace, labels: { ...w.labels } },
      spec: { replicas: w.replicas, selector, template },
    },
  };
}

export function modernService(s: ServicePlan): ManifestObject {
  const ports = s.ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    protocol: p.protocol,
    port: p.port,
    targetPort: p.targetPort,
    ...(s.type !== 'ClusterIP' && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
  }));
  return {
    kind: 'Service',
    name: s.name,
    namespace: s.namespace,
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      // clusterIP (and node ports) are the plan's, allocated or not: the rendered proxy rules,
      // the switch and the probes all expect the service at these addresses.
      spec: {
        type: s.type,
        clusterIP: s.clusterIP,
        selector: { ...s.selector },
        ports,
        ...(s.externalIPs.length ? { externalIPs: [...s.externalIPs] } : {}),
        ...(s.loadBalancerIP ? { loadBalancerIP: s.loadBalancerIP } : {}),
      },
    },
  };
}
