// What kube-proxy on one node sees: the node and every service port with its endpoints.
// from-lab.ts builds it from a lab; the tests build it from kubernetes' own fixtures, which
// use fields a lab file has no words for (traffic policies, source ranges, health checks).
import type { ProxyMode } from '../lab/schema.js';
import type { Rule, Table } from './rule.js';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** On this node (externalTrafficPolicy: Local keeps to these). */
  local: boolean;
}

export interface ProxyServicePort {
  namespace: string;
  name: string;
  /** "" when unnamed. */
  portName: string;
  protocol: 'TCP' | 'UDP';
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIP: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  /** The service's status.loadBalancer.ingress addresses. */
  loadBalancerIPs: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  /** Only with externalTrafficPolicy: Local. */
  healthCheckNodePort?: number;
  loadBalancerSourceRanges: string[];
  endpoints: ProxyEndpoint[];
}

export interface ProxyNode {
  name: string;
  /** The node's address: userspace DNATs its own traffic here; the KUBE-FW node check. */
  address: string;
  /** Every local address kube-proxy binds NodePorts to in ipvs mode (not loopback). */
  addresses: string[];
  /** --cluster-cidr: the local-traffic detector (`! -s CIDR`); absent: no detector. */
  clusterCidr?: string;
  /** The masquerade mark as kube-proxy prints it: "%#08x" of 1<<14, i.e. 0x004000. */
  mark: string;
  /** Does the node's iptables know --random-fully (1.6.2 and later)? */
  iptablesRandomFully: boolean;
}

export interface ProxyInput {
  /** "legacy" or "1.N". */
  version: string;
  mode: ProxyMode;
  node: ProxyNode;
  services: ProxyServicePort[];
}

/** A rule that kube-proxy puts into a built-in chain with `iptables -I/-A`, outside restore. */
export interface JumpRule {
  table: Table;
  position: 'prepend' | 'append';
  rule: Rule;
  /** Who creates it first; kubelet's copies (KUBE-FIREWALL) exist before kube-proxy starts. */
  owner: 'kube-proxy' | 'kubelet';
}

export interface TableRules {
  table: Table;
  /** User chains kube-proxy declares, in the order it lists them. */
  chains: string[];
  rules: Rule[];
}

export interface IptablesProgram {
  tables: TableRules[];
  jumps: JumpRule[];
  /** Chains another component owns that these rules jump to; declared so the file loads alone. */
  borrowed: { table: Table; chain: string; owner: string }[];
}

export interface IpvsVirtualServer {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  scheduler: 'rr';
  reals: { address: string; port: number; weight: number }[];
  /** Which service port it serves, for the reader. */
  service: string;
}

export interface IpsetEntry {
  name: string;
  type: 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'bitmap:port';
  comment: string;
  entries: string[];
}

export interface IpvsProgram {
  /** kube-ipvs0's addresses, /32 each. */
  dummyAddresses: string[];
  virtualServers: IpvsVirtualServer[];
  ipsets: IpsetEntry[];
}

/** Everything one node's kube-proxy programs, and the era it followed. */
export interface ProxyProgram {
  node: string;
  mode: ProxyMode;
  version: string;
  /** A line naming the era's rule set, for the output's header and the docs. */
  era: string;
  /** Userspace: the proxy's listening port per service port. */
  proxyPorts?: { service: string; protocol: 'tcp' | 'udp'; port: number }[];
  iptables: IptablesProgram;
  ipvs?: IpvsProgram;
}
