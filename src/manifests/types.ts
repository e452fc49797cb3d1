// One API object of a lab and the file it is written to.
export interface ManifestObject {
  kind: 'Pod' | 'ReplicationController' | 'Service' | 'Deployment';
  name: string;
  namespace: string;
  object: Record<string, unknown>;
}

export interface ManifestFile {
  /** File name in the output directory: "<kind>-<name>.json|yaml". */
  file: string;
  kind: ManifestObject['kind'];
  /** The object's name (legacy: its id). */
  name: string;
  apiVersion: string;
  content: string;
}
