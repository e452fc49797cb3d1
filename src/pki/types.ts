// The lab's PKI as the phases above see it. Render gets a LabPki (PEM text, no CA key: the
// CA's private key never leaves the pki directory); `labsmith pki` and apply get the report
// entries, which carry names, subjects, SANs and dates, never key material.

/** One certificate labsmith issues from the lab's CA. */
export interface CertSpec {
  /** File base in the pki directory and the name reports use: "apiserver", "kubelet-client-node-1". */
  name: string;
  /** What it is for, in words. */
  purpose: string;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** serverAuth or clientAuth in extendedKeyUsage. */
  usage: 'server' | 'client';
  /** The hosts its private key (alone, or inside a kubeconfig) is rendered to. */
  keyHosts: string[];
}

export interface CertAndKey {
  cert: string;
  key: string;
}

/** The PEM material render needs. */
export interface LabPki {
  /** The CA's certificate, which every node trusts. */
  caCert: string;
  /** The service-account token signing key pair (RSA). */
  serviceAccount: { publicKey: string; privateKey: string };
  /** By CertSpec name. */
  certs: Record<string, CertAndKey>;
}

export type PkiStatus = 'kept' | 'created' | 'renewed' | 'removed';

/** One line of `labsmith pki`: a certificate or key pair and what happened to it. */
export interface PkiEntry {
  name: string;
  kind: 'ca' | 'certificate' | 'key pair';
  purpose: string;
  /** "CN=system:node:node-1, O=system:nodes"; "" for a bare key pair. */
  subject: string;
  /** "DNS:kubernetes", "IP:10.96.0.1". */
  sans: string[];
  /** ISO 8601; absent for a bare key pair. */
  notBefore?: string;
  notAfter?: string;
  status: PkiStatus;
  /** Why it was created, renewed or removed. */
  reason?: string;
  /** Hosts its private key goes to; empty for the CA, whose key stays local. */
  keyHosts: string[];
}
