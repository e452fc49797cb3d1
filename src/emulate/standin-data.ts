// The files the Kubernetes stand-ins (scripts/standins/) read in an emulated lab, built from
// the resolved Lab: pure functions, no I/O. The emulate step installs them:
//   <binDir>/.labsmith-standin.json on every node   the lab's release (which flags are real)
//   /etc/labsmith/cluster.json on masters           the pods, services and nodes the
//                                                   kube-apiserver stand-in serves
// The kubelet stand-in asks the apiserver for its node's pods and runs them on docker; a pod's
// `ip` is the address plan's, which the kubelet holds docker to. labsmith's own probe pods
// (verify's) are not Kubernetes pods and are left out.
import { sha256 } from '../core/hash.js';
import type { Lab, ProbePod, ServicePlan } from '../lab/types.js';
import { containerImage } from '../manifests/image.js';

export const STANDIN_RELEASE_FILE = '.labsmith-standin.json';
export const STANDIN_CLUSTER_PATH = '/etc/labsmith/cluster.json';
/** kube-proxy's hook: iptables-restore input it loads at start (the services work renders it). */
export const STANDIN_PROXY_RULES_PATH = '/etc/labsmith/kube-proxy.rules';
/** kube-proxy's hook in userspace mode: the proxy ports it serves. */
export const STANDIN_PROXY_PORTS_PATH = '/etc/labsmith/kube-proxy.json';
/** The stand-in executables, one per binary name, in the package. */
export const STANDIN_DIR = 'scripts/standins';
export const STANDIN_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'cri-dockerd'] as const;

export interface StandinPort {
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export interface StandinContainer {
  name: string;
  image: string;
  ports: StandinPort[];
}

export interface StandinPod {
  name: string;
  namespace: string;
  uid: string;
  /** The node's name, and its address (the legacy dialect knows minions by address). */
  node: string;
  nodeAddress: string;
  /** The address plan's pod address. */
  ip: string;
  labels: Record<string, string>;
  containers: StandinContainer[];
}

export interface StandinService {
  name: string;
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIP: string;
  selector: Record<string, string>;
  externalIPs: string[];
  loadBalancerIP?: string;
  ports: { name: string; port: number; targetPort: number; protocol: 'TCP' | 'UDP'; nodePort?: number }[];
  endpoints: { pod: string; node: string; ip: string; port: number }[];
}

export interface StandinCluster {
  lab: string;
  kubernetes: {
    version: string;
    dialect: 'legacy' | 'modern';
    serviceRange: string;
    apiserverServiceIP: string;
    apiserverPort: number;
    masterAddress: string;
  };
  nodes: { name: string; address: string; role: 'master' | 'minion'; podCidr?: string }[];
  pods: StandinPod[];
  services: StandinService[];
}

/** A stable UID per pod (dockershim puts it in container names), shaped like a UUID. */
function podUid(lab: Lab, pod: ProbePod): string {
  const h = sha256(`${lab.name}/${pod.namespace ?? 'default'}/${pod.name}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function containerPorts(pod: ProbePod, port: number | undefined, services: ServicePlan[]): StandinPort[] {
  if (port === undefined) return [];
  const ports: StandinPort[] = [{ containerPort: port, protocol: 'TCP' }];
  // A UDP service port that sends to this container's port needs it to answer UDP there too.
  const udp = services.some((s) => s.ports.some((sp) => sp.protocol === 'UDP' && sp.endpoints.some((e) => e.pod === pod.name && e.port === port)));
  if (udp) ports.push({ containerPort: port, protocol: 'UDP' });
  return ports;
}

export function standinCluster(lab: Lab): StandinCluster {
  const k = lab.kubernetes;
  const nodeAddress = new Map(lab.nodes.map((n) => [n.name, n.address]));
  const workloads = new Map(lab.workloads.map((w) => [w.name, w]));
  const pods: StandinPod[] = lab.pods
    .filter((p) => p.workload !== undefined)
    .map((p) => ({
      name: p.name,
      namespace: p.namespace ?? 'default',
      uid: podUid(lab, p),
      node: p.node,
      nodeAddress: nodeAddress.get(p.node)!,
      ip: p.ip,
      labels: { ...p.labels },
      containers: workloads.get(p.workload!)!.containers.map((c) => ({
        name: c.name,
        image: containerImage(c),
        ports: containerPorts(p, c.port, lab.services),
      })),
    }));
  return {
    lab: lab.name,
    kubernetes: {
      version: k.version,
      dialect: k.dialect,
      serviceRange: k.serviceRange.cidr,
      apiserverServiceIP: k.apiserverServiceIP,
      apiserverPort: k.apiserverPort,
      masterAddress: k.masterAddress,
    },
    nodes: lab.nodes.map((n) => ({ name: n.name, address: n.address, role: n.role, ...(n.docker0 ? { podCidr: n.docker0.prefix.cidr } : {}) })),
    pods,
    services: lab.services.map((s) => ({
      name: s.name,
      namespace: s.namespace,
      type: s.type,
      clusterIP: s.clusterIP,
      selector: { ...s.selector },
      externalIPs: [...s.externalIPs],
      ...(s.loadBalancerIP ? { loadBalancerIP: s.loadBalancerIP } : {}),
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol, ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) })),
      endpoints: s.endpoints.map((e) => ({ ...e })),
    })),
  };
}

/** /etc/labsmith/cluster.json for the masters. */
export function standinClusterJson(lab: Lab): string {
  return JSON.stringify(standinCluster(lab), null, 2) + '\n';
}

/** <binDir>/.labsmith-standin.json: the release whose flags the stand-ins accept. */
export function standinReleaseJson(lab: Lab): string {
  return JSON.stringify({ version: lab.kubernetes.version, dialect: lab.kubernetes.dialect }) + '\n';
}
