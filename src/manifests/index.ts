// labsmith manifests: the lab's workloads and services as the API objects of its era, one
// file per object. Pure: Lab -> files; writing them is write.ts.
//   legacy labs: v1beta1 JSON (Pod or ReplicationController per workload, Service)
//   1.x labs:    YAML (Deployment per workload, v1 Service)
import { stringify } from 'yaml';
import type { Lab } from '../lab/types.js';
import { legacyService, legacyWorkload } from './legacy.js';
import { modernService, modernWorkload } from './modern.js';
import type { ManifestFile, ManifestObject } from './types.js';

export { containerImage, DEFAULT_WORKLOAD_IMAGE } from './image.js';
export { workloadApi } from './modern.js';
export type { ManifestFile, ManifestObject } from './types.js';

export function labObjects(lab: Lab): ManifestObject[] {
  if (lab.kubernetes.dialect === 'legacy') {
    return [...lab.services.map((s) => legacyService(lab, s)), ...lab.workloads.map((w) => legacyWorkload(lab, w))];
  }
  return [...lab.services.map((s) => modernService(s)), ...lab.workloads.map((w) => modernWorkload(lab, w))];
}

/**
 * Services first, and their files numbered so (1-service-*, 2-<kind>-*): `kubectl create -f
 * DIR` goes by file name, and a service created before its pods reaches their environment.
 */
export function labManifests(lab: Lab): ManifestFile[] {
  const legacy = lab.kubernetes.dialect === 'legacy';
  return labObjects(lab).map((o) => {
    const apiVersion = String(o.object['apiVersion']);
    // Names are unique within a namespace only: another namespace's object carries it in its
    // file name, after a dot (which neither DNS-label name can hold).
    const ns = o.namespace === 'default' ? '' : `${o.namespace}.`;
    const file = `${o.kind === 'Service' ? 1 : 2}-${o.kind.toLowerCase()}-${ns}${o.name}.${legacy ? 'json' : 'yaml'}`;
    const content = legacy
      ? JSON.stringify(o.object, null, 2) + '\n'
      : `# ${o.kind} ${o.name} of lab ${lab.name}, written by \`labsmith manifests\`.\n` + stringify(o.object);
    return { file, kind: o.kind, name: o.name, apiVersion, content };
  });
}
