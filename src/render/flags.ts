// Command lines of the Kubernetes components, etcd and docker, by flag dialect and release.
// All the choosing happens here; the unit templates only print `execStart`.
//
// legacy: the 2014-15 binaries of the classic lab (underscored flags, insecure port 8080,
//   --portal_net, --machines); the apiserver line is exactly the one the material shows.
// modern: 1.x flag names (--service-cluster-ip-range, --etcd-servers, --secure-port,
//   --proxy-mode, --cluster-cidr); dockershim up to 1.23, cri-dockerd from 1.24 (when
//   dockershim left the kubelet); service-account issuer flags from 1.20, required since.
import type { OsFamily } from '../lab/schema.js';
import type { Lab, NodePlan } from '../lab/types.js';
import { atLeast } from '../lab/version.js';

/** Where the pieces a modern cluster needs but labsmith does not render live. */
export const PKI_DIR = '/etc/kubernetes/pki';
export const KUBECONFIG_DIR = '/etc/kubernetes';
/** cri-dockerd's socket (cri-docker.socket's ListenStream=%t/cri-dockerd.sock). */
export const CRI_DOCKERD_SOCKET = 'unix:///run/cri-dockerd.sock';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const ETCD_DATA_DIR = '/var/lib/etcd';
export const KUBELET_PORT = 10250;

export function isModern(lab: Lab): boolean {
  return lab.kubernetes.dialect === 'modern';
}

/** From 1.24 the kubelet has no dockershim; docker is reached through cri-dockerd. */
export function usesCriDockerd(lab: Lab): boolean {
  return atLeast(lab.kubernetes, 24);
}

export function kubeconfigPath(component: string): string {
  return `${KUBECONFIG_DIR}/${component}.kubeconfig`;
}

function line(binary: string, flags: string[]): string {
  return [binary, ...flags].join(' ');
}

export function etcdCommand(lab: Lab, node: NodePlan): string {
  const k = lab.kubernetes;
  // Only the apiserver on this host talks to etcd, so it listens on loopback alone.
  const url = `http://127.0.0.1:${k.etcdPort}`;
  const flags = [`--name=${node.name}`, `--data-dir=${ETCD_DATA_DIR}`, `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`];
  // The legacy apiserver speaks etcd's v2 API only, which etcd 3.4 and 3.5 serve on request.
  if (!isModern(lab)) flags.push('--enable-v2=true');
  return line(`${k.binDir}/etcd`, flags);
}

export function apiserverCommand(lab: Lab): string {
  const k = lab.kubernetes;
  const bin = `${k.binDir}/kube-apiserver`;
  if (!isModern(lab)) {
    return line(bin, ['--address=0.0.0.0', `--port=${k.apiserverPort}`, `--etcd_servers=http://127.0.0.1:${k.etcdPort}`, `--portal_net=${k.serviceRange.cidr}`, '--logtostderr=true']);
  }
  const flags = [
    `--advertise-address=${k.masterAddress}`,
    '--bind-address=0.0.0.0',
    `--secure-port=${k.apiserverPort}`,
    `--etcd-servers=http://127.0.0.1:${k.etcdPort}`,
    `--service-cluster-ip-range=${k.serviceRange.cidr}`,
    `--service-node-port-range=${k.nodePortRange.from}-${k.nodePortRange.to}`,
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${PKI_DIR}/ca.crt`,
    `--tls-cert-file=${PKI_DIR}/apiserver.crt`,
    `--tls-private-key-file=${PKI_DIR}/apiserver.key`,
    `--kubelet-client-certificate=${PKI_DIR}/apiserver-kubelet-client.crt`,
    `--kubelet-client-key=${PKI_DIR}/apiserver-kubelet-client.key`,
    `--service-account-key-file=${PKI_DIR}/sa.pub`,
  ];
  if (atLeast(lab.kubernetes, 20)) flags.push(`--service-account-signing-key-file=${PKI_DIR}/sa.key`, `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`);
  return line(bin, flags);
}

export function controllerManagerCommand(lab: Lab): string {
  const k = lab.kubernetes;
  const bin = `${k.binDir}/kube-controller-manager`;
  if (!isModern(lab)) {
    const minions = lab.nodes.filter((n) => n.role === 'minion').map((n) => n.address);
    return line(bin, [`--master=127.0.0.1:${k.apiserverPort}`, `--machines=${minions.join(',')}`, '--logtostderr=true']);
  }
  const flags = [`--kubeconfig=${kubeconfigPath('controller-manager')}`, `--service-cluster-ip-range=${k.serviceRange.cidr}`];
  // labsmith plans every pod CIDR itself (docker0's bip, the kubelet's --pod-cidr and the MLS
  // routes agree); letting the controller-manager allocate them too would assign CIDRs in
  // registration order and break that agreement, so it only learns the cluster CIDR.
  if (k.clusterCidr) flags.push(`--cluster-cidr=${k.clusterCidr.cidr}`, '--allocate-node-cidrs=false');
  flags.push(`--root-ca-file=${PKI_DIR}/ca.crt`, `--service-account-private-key-file=${PKI_DIR}/sa.key`, '--leader-elect=false');
  return line(bin, flags);
}

export function schedulerCommand(lab: Lab): string {
  const k = lab.kubernetes;
  const bin = `${k.binDir}/kube-scheduler`;
  if (!isModern(lab)) return line(bin, [`--master=127.0.0.1:${k.apiserverPort}`, '--logtostderr=true']);
  return line(bin, [`--kubeconfig=${kubeconfigPath('scheduler')}`, '--leader-elect=false']);
}

export function kubeletCommand(lab: Lab, node: NodePlan): string {
  const k = lab.kubernetes;
  const bin = `${k.binDir}/kubelet`;
  if (!isModern(lab)) {
    return line(bin, ['--address=0.0.0.0', `--port=${KUBELET_PORT}`, `--hostname_override=${node.address}`, `--api_servers=http://${k.masterAddress}:${k.apiserverPort}`, '--logtostderr=true']);
  }
  const flags = [
    `--kubeconfig=${kubeconfigPath('kubelet')}`,
    '--address=0.0.0.0',
    `--port=${KUBELET_PORT}`,
    `--hostname-override=${node.name}`,
    `--node-ip=${node.address}`,
  ];
  if (node.docker0) flags.push(`--pod-cidr=${node.docker0.prefix.cidr}`);
  // docker on a cgroup v2 host defaults to the systemd driver; daemon.json pins it and the
  // kubelet must agree.
  flags.push('--cgroup-driver=systemd');
  if (usesCriDockerd(lab)) flags.push(`--container-runtime-endpoint=${CRI_DOCKERD_SOCKET}`);
  return line(bin, flags);
}

export function kubeProxyCommand(lab: Lab, node: NodePlan): string {
  const k = lab.kubernetes;
  const bin = `${k.binDir}/kube-proxy`;
  if (!isModern(lab)) return line(bin, [`--master=http://${k.masterAddress}:${k.apiserverPort}`, '--logtostderr=true']);
  const flags = [`--kubeconfig=${kubeconfigPath('kube-proxy')}`, `--hostname-override=${node.name}`, `--proxy-mode=${k.proxyMode}`];
  if (k.clusterCidr) flags.push(`--cluster-cidr=${k.clusterCidr.cidr}`);
  return line(bin, flags);
}

/**
 * docker's own options for docker0: the bridge address is the node's pod gateway, and docker
 * neither masquerades (pods keep their addresses on the wire; the MLS routes them back) nor
 * writes iptables rules (its FORWARD policy would drop routed traffic to the pods).
 */
export function dockerOptions(node: NodePlan): { bip: string; flags: string[]; daemonJson: string } {
  const d = node.docker0!;
  const bip = `${d.gateway}/${d.prefix.length}`;
  const daemonJson = JSON.stringify({ bip, 'ip-masq': false, iptables: false, 'exec-opts': ['native.cgroupdriver=systemd'] }, null, 2);
  return { bip, flags: [`--bip=${bip}`, '--ip-masq=false', '--iptables=false'], daemonJson };
}

/**
 * Where the docker an OS family installs keeps its daemon: Debian's and Ubuntu's docker.io in
 * /usr/sbin; on CentOS 7, docker-ce (the docker that still installs there and runs `dockerd`)
 * in /usr/bin.
 */
export function dockerdPath(os: OsFamily): string {
  return os === 'centos7' ? '/usr/bin/dockerd' : '/usr/sbin/dockerd';
}

/**
 * Both dialects run dockerd (docker 1.12 and later; `docker -d` left docker in 1.10): legacy
 * with its options from the environment file, as the 2015 units passed them; modern with
 * /etc/docker/daemon.json.
 */
export function dockerCommand(lab: Lab, node: NodePlan): string {
  return isModern(lab) ? dockerdPath(node.os) : `${dockerdPath(node.os)} $OPTIONS`;
}

/** Where cri-dockerd's packages (deb and rpm) install it. */
export const CRI_DOCKERD_PATH = '/usr/bin/cri-dockerd';

export function criDockerdCommand(): string {
  // socket-activated (fd://); no network plugin, so pods sit on docker0 as in the classic lab.
  return `${CRI_DOCKERD_PATH} --container-runtime-endpoint=fd:// --network-plugin=`;
}
