// A stand-in PKI for golden files and benchmarks: PEM-shaped text that names what it stands
// for, the same on every run, and is no key at all. Never pushed: apply and `labsmith
// render` use the lab's real PKI (ensurePki); only the golden writer, tests and the bench
// render with this one, so that golden files neither hold key material nor change per run.
import type { Lab } from '../lab/types.js';
import { certSpecs } from './spec.js';
import type { LabPki } from './types.js';

const pem = (label: string, what: string) => `-----BEGIN ${label}-----\nlabsmith placeholder: ${what}\n-----END ${label}-----\n`;

export function placeholderPki(lab: Lab): LabPki {
  const certs: LabPki['certs'] = {};
  for (const s of certSpecs(lab)) certs[s.name] = { cert: pem('CERTIFICATE', `${s.name}.crt`), key: pem('EC PRIVATE KEY', `${s.name}.key`) };
  return {
    caCert: pem('CERTIFICATE', 'ca.crt'),
    serviceAccount: { publicKey: pem('PUBLIC KEY', 'sa.pub'), privateKey: pem('RSA PRIVATE KEY', 'sa.key') },
    certs,
  };
}
