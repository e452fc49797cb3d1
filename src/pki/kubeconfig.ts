// The administrator's kubeconfig kept in the pki directory, for kubectl on this machine:
// the CA, the admin certificate and its key embedded, the server the first master's
// apiserver. (The kubeconfigs on the hosts come from templates/kubernetes/kubeconfig.hbs,
// with the same layout.)
import { stringify } from 'yaml';
import type { Lab } from '../lab/types.js';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

export function adminKubeconfig(lab: Lab, caCert: string, admin: { cert: string; key: string }): string {
  const user = 'kubernetes-admin';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: lab.name, cluster: { server: apiserverUrl(lab), 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(admin.cert), 'client-key-data': b64(admin.key) } }],
    contexts: [{ name: `${user}@${lab.name}`, context: { cluster: lab.name, user } }],
    'current-context': `${user}@${lab.name}`,
  };
  return `# kubectl --kubeconfig THIS-FILE: the administrator of lab ${lab.name} (a secret: it holds a private key)\n${stringify(doc, { lineWidth: 0 })}`;
}

export function apiserverUrl(lab: Lab): string {
  return `https://${lab.kubernetes.masterAddress}:${lab.kubernetes.apiserverPort}`;
}
