// The 2014-15 API objects (v1beta1), as the material of the time wrote them: a flat `id`
// instead of metadata.name, `desiredState` instead of spec, a ReplicationController's
// `replicaSelector` and `podTemplate`, a pod's container manifest (`version: v1beta1`), and a
// Service with `port`, `containerPort` and `portalIP` at the top level. Field names follow
// pkg/api/v1beta1/types.go of late 2014 (Pod, PodState, ContainerManifest, Port,
// ReplicationControllerState, PodTemplate, Service).
import { UsageError } from '../core/errors.js';
import type { Lab, ServicePlan, WorkloadPlan } from '../lab/types.js';
import { containerImage } from './image.js';
import { containerProtocols } from './ports.js';
import type { ManifestObject } from './types.js';

const API = 'v1beta1';

function manifest(lab: Lab, w: WorkloadPlan) {
  const containers = w.containers.map((c) => ({
    name: c.name,
    image: containerImage(c),
    ports: c.port === undefined ? [] : containerProtocols(lab, w, c.port).map((p) => (p === 'TCP' ? { containerPort: c.port } : { containerPort: c.port, protocol: p })),
  }));
  return { version: API, id: w.name, containers };
}

/** v1beta1 objects carried their namespace as a top-level field; "default" went unsaid. */
const namespaceOf = (ns: string) => (ns === 'default' ? {} : { namespace: ns });

/**
 * A workload of one replica is a bare Pod, as the material's first pod (pod.json) was; more
 * replicas are a ReplicationController holding that pod as its template.
 */
export function legacyWorkload(lab: Lab, w: WorkloadPlan): ManifestObject {
  if (w.replicas === 1) {
    return { kind: 'Pod', name: w.name, namespace: w.namespace, object: { id: w.name, kind: 'Pod', apiVersion: API, ...namespaceOf(w.namespace), desiredState: { manifest: manifest(lab, w) }, labels: { ...w.labels } } };
  }
  return {
    kind: 'ReplicationController',
    name: w.name,
    namespace: w.namespace,
    object: {
      id: w.name,
      kind: 'ReplicationController',
      apiVersion: API,
      ...namespaceOf(w.namespace),
      desiredState: {
        replicas: w.replicas,
        replicaSelector: { ...w.labels },
        podTemplate: { desiredState: { manifest: manifest(lab, w) }, labels: { ...w.labels } },
      },
      labels: { ...w.labels },
    },
  };
}

export function legacyService(lab: Lab, s: ServicePlan): ManifestObject {
  const i = lab.services.indexOf(s);
  if (s.type === 'NodePort') {
    throw new UsageError(
      `${lab.file}: services[${i}] (${s.name}) is a NodePort service, which the v1beta1 API of a legacy lab cannot express: node ports came with the later v1beta3/v1 API`,
      'use type: ClusterIP in a legacy lab, or a 1.x version for NodePort services',
    );
  }
  if (s.ports.length > 1) {
    throw new UsageError(
      `${lab.file}: services[${i}] (${s.name}) has ${s.ports.length} ports, which the v1beta1 API of a legacy lab cannot express: a v1beta1 service has one port (multi-port services came with v1beta3)`,
      'split it into one service per port in a legacy lab, or use a 1.x version',
    );
  }
  return {
    kind: 'Service',
    name: s.name,
    namespace: s.namespace,
    object: {
      id: s.name,
      kind: 'Service',
      apiVersion: API,
      ...namespaceOf(s.namespace),
      port: s.port,
      ...(s.protocol === 'UDP' ? { protocol: s.protocol } : {}),
      containerPort: s.targetPort,
      selector: { ...s.selector },
      // The plan's address: the proxy rules and the probes expect the service there.
      portalIP: s.clusterIP,
      // The era's load balancer and outside addresses (PublicIPs, CreateExternalLoadBalancer).
      ...(s.type === 'LoadBalancer' ? { createExternalLoadBalancer: true } : {}),
      ...(s.externalIPs.length || s.loadBalancerIP ? { publicIPs: [...s.externalIPs, ...(s.loadBalancerIP ? [s.loadBalancerIP] : [])] } : {}),
    },
  };
}
