// A lab as one node's kube-proxy sees it: the apiserver's own "kubernetes" service and the
// lab's services, every port with its endpoints; the node's addresses and flags.
import { UsageError } from '../core/errors.js';
import type { Lab, NodePlan } from '../lab/types.js';
import { minorOf } from './era.js';
import type { ProxyInput, ProxyServicePort } from './types.js';

/** kube-proxy's mark for masquerading: "%#08x" of 1 << 14 (--iptables-masquerade-bit). */
export const MASQUERADE_MARK = '0x004000';

/**
 * The nodes that run kube-proxy: the minions. playbooks/minion.yaml renders its unit and
 * master.yaml does not, as in the classic lab, where the master ran only the control plane.
 */
export function proxyNodes(lab: Lab): NodePlan[] {
  return lab.nodes.filter((n) => n.role === 'minion');
}

export function nodeForProxy(lab: Lab, name: string): NodePlan {
  const node = lab.nodes.find((n) => n.name === name);
  if (node?.role === 'minion') return node;
  const minions = proxyNodes(lab).map((n) => n.name);
  if (!node) throw new UsageError(`no node ${name} in lab ${lab.name}; its nodes are ${lab.nodes.map((n) => n.name).join(', ')} (kube-proxy runs on ${minions.join(', ') || 'none of them'})`);
  throw new UsageError(`${name} is a master: this lab runs kube-proxy only on its minions (${minions.join(', ') || 'none'}), so ${name} has no service rules; pick a minion`);
}

export function proxyInput(lab: Lab, node: NodePlan): ProxyInput {
  const k = lab.kubernetes;
  const minor = minorOf(k.version);
  const services: ProxyServicePort[] = [
    {
      // Registered by the apiserver itself: port 443 to its secure port (6443 in the legacy
      // era, which served it by default), unnamed until 1.2 and "https" after.
      namespace: 'default',
      name: 'kubernetes',
      portName: minor >= 2 ? 'https' : '',
      protocol: 'TCP',
      type: 'ClusterIP',
      clusterIP: k.apiserverServiceIP,
      port: 443,
      externalIPs: [],
      loadBalancerIPs: [],
      externalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: [],
      endpoints: [{ ip: k.masterAddress, port: k.dialect === 'modern' ? k.apiserverPort : 6443, local: false }],
    },
  ];
  for (const s of lab.services) {
    for (const p of s.ports) {
      services.push({
        namespace: s.namespace,
        name: s.name,
        portName: p.name,
        protocol: p.protocol,
        type: s.type,
        clusterIP: s.clusterIP,
        port: p.port,
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        externalIPs: s.externalIPs,
        loadBalancerIPs: s.loadBalancerIP ? [s.loadBalancerIP] : [],
        externalTrafficPolicy: 'Cluster',
        loadBalancerSourceRanges: [],
        endpoints: p.endpoints.map((e) => ({ ip: e.ip, port: e.port, local: e.node === node.name })),
      });
    }
  }
  return {
    version: k.version,
    mode: k.proxyMode,
    node: {
      name: node.name,
      address: node.address,
      addresses: [node.address, ...(node.docker0 ? [node.docker0.gateway] : [])],
      // kube-proxy gets --cluster-cidr where the lab has one (render/flags.ts).
      ...(k.clusterCidr && k.dialect === 'modern' ? { clusterCidr: k.clusterCidr.cidr } : {}),
      mark: MASQUERADE_MARK,
      // CentOS 7 ships iptables 1.4.21, older than --random-fully (1.6.2).
      iptablesRandomFully: node.os !== 'centos7',
    },
    services,
  };
}
