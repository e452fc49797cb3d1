// The 2014-15 API objects (v1beta1), as the material of the time wrote them: a flat `id`
// instead of metadata.name, `desiredState` instead of spec, a ReplicationController's
// `replicaSelector` and `podTemplate`, a pod's container manifest (`version: v1beta1`), and a
// Service with `port`, `containerPort` and `portalIP` at the top level. Field names follow
// pkg/api/v1beta1/types.go of late 2014 (Pod, PodState, ContainerManifest, Port,
// ReplicationControllerState, PodTemplate, Service).
import { UsageError } from '../core/errors.js';
import type { Lab, ServicePlan, WorkloadPlan } from '../lab/types.js';
import { workloadImage } from './image.js';
import { containerProtocols } from './ports.js';
import type { ManifestObject } from './types.js';

const API = 'v1beta1';

function manifest(lab: Lab, w: WorkloadPlan) {
  const ports = containerProtocols(lab, w).map((p) => (p === 'TCP' ? { containerPort: w.port } : { containerPort: w.port, protocol: p }));
  return { version: API, id: w.name, containers: [{ name: w.name, image: workloadImage(w), ports }] };
}

/**
 * A workload of one replica is a bare Pod, as the material's first pod (pod.json) was; more
 * replicas are a ReplicationController holding that pod as its template.
 */
export function legacyWorkload(lab: Lab, w: WorkloadPlan): ManifestObject {
  if (w.replicas === 1) {
    return { kind: 'Pod', name: w.name, object: { id: w.name, kind: 'Pod', apiVersion: API, desiredState: { manifest: manifest(lab, w) }, labels: { ...w.labels } } };
  }
  return {
    kind: 'ReplicationController',
    name: w.name,
    object: {
      id: w.name,
      kind: 'ReplicationController',
      apiVersion: API,
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
  if (s.type === 'NodePort') {
    const i = lab.services.indexOf(s);
    throw new UsageError(
      `${lab.file}: services[${i}] (${s.name}) is a NodePort service, which the v1beta1 API of a legacy lab cannot express: node ports came with the later v1beta3/v1 API`,
      'use type: ClusterIP in a legacy lab, or a 1.x version for NodePort services',
    );
  }
  return {
    kind: 'Service',
    name: s.name,
    object: {
      id: s.name,
      kind: 'Service',
      apiVersion: API,
      port: s.port,
      ...(s.protocol === 'UDP' ? { protocol: s.protocol } : {}),
      containerPort: s.targetPort,
      selector: { ...s.selector },
      // The plan's address: the proxy rules and the probes expect the service there.
      portalIP: s.clusterIP,
    },
  };
}
