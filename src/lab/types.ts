// The resolved lab: what the address plan produces and every later phase reads.
// Nothing after planning looks at the raw lab file.
import type { OsFamily, Platform, Protocol, ProxyMode, ServiceType } from './schema.js';

/** An IPv4 prefix, already checked: network address without host bits. */
export interface Prefix {
  /** "10.10.10.0/24" */
  cidr: string;
  /** "10.10.10.0" */
  network: string;
  /** 24 */
  length: number;
  /** "255.255.255.0" */
  netmask: string;
  /** "0.0.0.255" (Cisco/IOS-style wildcard, for platforms that want it) */
  wildcard: string;
}

export type Dialect = 'legacy' | 'modern';

export interface KubernetesPlan {
  /** As written: "legacy", "1.28", ... */
  version: string;
  dialect: Dialect;
  /** [major, minor]; legacy is treated as [0, 0] */
  release: [number, number];
  serviceRange: Prefix;
  clusterCidr?: Prefix;
  nodeCidrMask: number;
  proxyMode: ProxyMode;
  nodePortRange: { from: number; to: number };
  apiserverPort: number;
  etcdPort: number;
  binDir: string;
  /** Services' DNS suffix (1.x labs): kubernetes.default.svc.<clusterDomain>. */
  clusterDomain: string;
  /** The first address of serviceRange: the apiserver's own "kubernetes" service. */
  apiserverServiceIP: string;
  /** The first master's address: where minions find the apiserver and etcd. */
  masterAddress: string;
}

export interface Segment {
  name: string;
  prefix: Prefix;
  gateway: string;
}

export interface MlsRoute {
  /** The pod CIDR routed. */
  prefix: Prefix;
  /** The node's address: next hop. */
  via: string;
  node: string;
  /** Segment the next hop sits on, i.e. the MLS interface the route leaves by. */
  segment: string;
}

export interface RouterPlan {
  name: string;
  platform: Platform;
  address: string;
  /** One interface per segment, holding the segment's gateway. */
  interfaces: { segment: string; address: string; prefix: Prefix }[];
  routes: MlsRoute[];
}

export interface Docker0 {
  /** Pod CIDR the bridge hands out. */
  prefix: Prefix;
  /** First address of the pod CIDR: docker0's own address, the pods' gateway. */
  gateway: string;
}

export interface ProbePod {
  /** Unique in the lab, a DNS label: "web-controller-2-0", "probe-kubminion1". */
  name: string;
  node: string;
  ip: string;
  /** Which workload this replica belongs to; absent for labsmith's own per-minion probe. */
  workload?: string;
  /** The workload's namespace; absent for labsmith's probes, which belong to no namespace. */
  namespace?: string;
  labels: Record<string, string>;
  /** Ports the pod's containers listen on, in container order (they share the pod's address). */
  ports: number[];
}

export type Role = 'master' | 'minion';

export interface NodePlan {
  name: string;
  role: Role;
  os: OsFamily;
  address: string;
  /** The segment the address belongs to. */
  segment: string;
  /** Prefix length of that segment. */
  prefixLength: number;
  /** Default route: the segment's gateway (an MLS address). */
  gateway: string;
  /** Minions only. */
  docker0?: Docker0;
  /** True when the pod CIDR came from clusterCidr rather than the lab file. */
  podCidrAllocated: boolean;
  pods: ProbePod[];
}

/** One address and port that a service port sends traffic to: a selected pod. */
export interface ServiceEndpoint {
  pod: string;
  node: string;
  ip: string;
  port: number;
}

export interface ServicePortPlan {
  /** "" for an unnamed port (the shorthand, or a single port without a name). */
  name: string;
  port: number;
  targetPort: number;
  protocol: Protocol;
  /** NodePort and LoadBalancer services. */
  nodePort?: number;
  nodePortAllocated?: boolean;
  /** Pods in the service's namespace whose labels match the selector, in plan order, at targetPort. */
  endpoints: ServiceEndpoint[];
}

export interface ServicePlan {
  name: string;
  namespace: string;
  type: ServiceType;
  clusterIP: string;
  clusterIPAllocated: boolean;
  selector: Record<string, string>;
  externalIPs: string[];
  /** LoadBalancer services only. */
  loadBalancerIP?: string;
  /** At least one. */
  ports: ServicePortPlan[];
  // The first port again, for the readers that handle one port per service (verify's layer 5
  // probes); everything that must see every port reads `ports`.
  port: number;
  targetPort: number;
  protocol: Protocol;
  nodePort?: number;
  endpoints: ServiceEndpoint[];
}

export interface ContainerPlan {
  name: string;
  image?: string;
  port?: number;
}

export interface WorkloadPlan {
  name: string;
  namespace: string;
  replicas: number;
  labels: Record<string, string>;
  /** At least one; the shorthand is one container named after the workload. */
  containers: ContainerPlan[];
}

export interface Lab {
  name: string;
  /** Path of the lab file this plan came from. */
  file: string;
  os: OsFamily;
  kubernetes: KubernetesPlan;
  segments: Segment[];
  router: RouterPlan;
  nodes: NodePlan[];
  ssh: { user: string; port: number; identityFile?: string };
  services: ServicePlan[];
  workloads: WorkloadPlan[];
  /** Every pod of every minion (workload replicas and labsmith's probes), in plan order. */
  pods: ProbePod[];
}
