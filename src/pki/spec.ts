// Which certificates a 1.x lab needs, with the identities Kubernetes' authorizers expect:
// pure, from the planned lab. Legacy labs have none: the 2014-15 control plane spoke plain
// HTTP on port 8080, and labsmith renders it that way.
import type { Lab } from '../lab/types.js';
import type { CertSpec } from './types.js';

/** Days a certificate is valid for when issued, and how close to expiry it is renewed. */
export const CA_DAYS = 3650;
export const LEAF_DAYS = 365;
export const RENEW_WITHIN_DAYS = 30;

export function needsPki(lab: Lab): boolean {
  return lab.kubernetes.dialect === 'modern';
}

export const kubeletClientName = (node: string) => `kubelet-client-${node}`;
export const kubeletServingName = (node: string) => `kubelet-serving-${node}`;

export function caCommonName(lab: Lab): string {
  return `labsmith CA of lab ${lab.name}`;
}

/** The DNS names the apiserver answers to inside the cluster, as kubeadm lists them. */
export function apiserverDnsNames(clusterDomain: string): string[] {
  return ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`];
}

export function certSpecs(lab: Lab): CertSpec[] {
  if (!needsPki(lab)) return [];
  const k = lab.kubernetes;
  const masters = lab.nodes.filter((n) => n.role === 'master');
  const minions = lab.nodes.filter((n) => n.role === 'minion');
  const onMasters = masters.map((n) => n.name);
  const onMinions = minions.map((n) => n.name);
  const client = (name: string, purpose: string, commonName: string, organizations: string[], keyHosts: string[]): CertSpec => ({
    name,
    purpose,
    commonName,
    organizations,
    dnsNames: [],
    ipAddresses: [],
    usage: 'client',
    keyHosts,
  });
  return [
    {
      name: 'apiserver',
      purpose: "the API server's serving certificate",
      commonName: 'kube-apiserver',
      organizations: [],
      // Every master runs an apiserver with this certificate; clients reach it by the
      // master's address or name, pods by the first service IP and the kubernetes names.
      dnsNames: [...apiserverDnsNames(k.clusterDomain), ...masters.map((n) => n.name)],
      ipAddresses: [...masters.map((n) => n.address), k.apiserverServiceIP, '127.0.0.1'],
      usage: 'server',
      keyHosts: onMasters,
    },
    // system:masters: the kubelet's webhook authorizer lets this user run exec, logs and
    // port-forward, as kubeadm's certificate of the same name.
    client('apiserver-kubelet-client', 'the API server, as a client of the kubelets', 'kube-apiserver-kubelet-client', ['system:masters'], onMasters),
    // The user names the default RBAC bindings expect (bootstrappolicy).
    client('controller-manager', "the controller-manager's client certificate", 'system:kube-controller-manager', [], onMasters),
    client('scheduler', "the scheduler's client certificate", 'system:kube-scheduler', [], onMasters),
    client('kube-proxy', "kube-proxy's client certificate", 'system:kube-proxy', [], onMinions),
    client('admin', 'the cluster administrator (admin.kubeconfig)', 'kubernetes-admin', ['system:masters'], onMasters),
    ...minions.flatMap((n): CertSpec[] => [
      // The Node authorizer and NodeRestriction know a kubelet by exactly this identity.
      client(kubeletClientName(n.name), `the kubelet of ${n.name}, as a client of the API server`, `system:node:${n.name}`, ['system:nodes'], [n.name]),
      {
        name: kubeletServingName(n.name),
        purpose: `the kubelet of ${n.name}: its serving certificate (port 10250)`,
        commonName: `system:node:${n.name}`,
        organizations: ['system:nodes'],
        // The apiserver dials kubelets by InternalIP (--kubelet-preferred-address-types).
        dnsNames: [n.name],
        ipAddresses: [n.address],
        usage: 'server',
        keyHosts: [n.name],
      },
    ]),
  ];
}

/** The hosts the service-account private key goes to: the masters (controller-manager, and the apiserver from 1.20). */
export function serviceAccountKeyHosts(lab: Lab): string[] {
  return needsPki(lab) ? lab.nodes.filter((n) => n.role === 'master').map((n) => n.name) : [];
}
