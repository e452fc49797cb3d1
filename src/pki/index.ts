// The pki phase's public face: the lab's certificates, generated and kept beside the lab.
export type { CertSpec, CertAndKey, LabPki, PkiEntry, PkiStatus } from './types.js';
export { certSpecs, serviceAccountKeyHosts, needsPki, kubeletClientName, kubeletServingName, apiserverDnsNames, CA_DAYS, LEAF_DAYS, RENEW_WITHIN_DAYS } from './spec.js';
export { ensurePki, ADMIN_KUBECONFIG, type EnsureOptions, type PkiResult } from './ensure.js';
export { pkiDir } from './store.js';
export { placeholderPki } from './placeholder.js';
export { pkiText, pkiJson } from './report.js';
