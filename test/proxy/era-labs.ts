// Synthetic labs, one per era the proxy layer distinguishes, each with every kind of service
// a lab file can say: NodePort with two named ports (TCP and UDP), LoadBalancer with an
// external IP in another namespace, a plain ClusterIP, and one that selects nothing.
export interface EraLab {
  name: string;
  version: string;
  mode: 'userspace' | 'iptables' | 'ipvs';
  text: string;
}

export const ERAS: readonly { version: string; mode: EraLab['mode'] }[] = [
  { version: 'legacy', mode: 'userspace' },
  { version: '1.11', mode: 'userspace' },
  { version: '1.11', mode: 'iptables' },
  { version: '1.17', mode: 'iptables' },
  { version: '1.19', mode: 'iptables' },
  { version: '1.23', mode: 'iptables' },
  { version: '1.24', mode: 'iptables' },
  { version: '1.28', mode: 'iptables' },
  { version: '1.11', mode: 'ipvs' },
  { version: '1.28', mode: 'ipvs' },
];

export function eraLab(version: string, mode: EraLab['mode'], os = 'debian12'): EraLab {
  const name = `era-${version.replace('.', '-')}-${mode}`;
  const text = `name: ${name}
os: ${os}
kubernetes:
  version: "${version}"
  serviceRange: 10.96.0.0/12
  clusterCidr: 10.244.0.0/16
  proxyMode: ${mode}
segments:
  - { name: nodes, cidr: 192.168.1.0/24, gateway: 192.168.1.1 }
router: { name: mls, platform: frr, address: 192.168.1.1 }
nodes:
  - { name: master, role: master, address: 192.168.1.10 }
  - { name: node-1, role: minion, address: 192.168.1.11, podCidr: 10.244.1.0/24 }
  - { name: node-2, role: minion, address: 192.168.1.12, podCidr: 10.244.2.0/24 }
services:
  - name: web
    type: NodePort
    ports:
      - { name: http, port: 80, targetPort: 8080, nodePort: 30080 }
      - { name: dns, port: 53, protocol: UDP }
    selector: { app: web }
  - { name: shop, namespace: store, type: LoadBalancer, port: 443, targetPort: 8443, selector: { app: shop }, externalIPs: [198.51.100.7], loadBalancerIP: 198.51.100.20 }
  - { name: db-service, clusterIP: 10.103.132.104, port: 3306, selector: { app: db } }
  - { name: empty, port: 81, selector: { app: nothing } }
workloads:
  - name: web
    replicas: 3
    labels: { app: web }
    containers:
      - { name: web, image: jonlangemak/docker:web_container_8080, port: 8080 }
      - { name: dns, port: 53 }
  - { name: shop, namespace: store, replicas: 2, labels: { app: shop }, port: 8443 }
  - { name: db, replicas: 1, labels: { app: db }, port: 3306, image: mysql:5.7 }
`;
  return { name, version, mode, text };
}
