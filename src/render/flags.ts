// Command lines of the Kubernetes components, etcd and docker, by flag dialect and release.
// All the choosing happens here; the unit templates only print `execStart`.
//
// legacy: the 2014-15 binaries of the classic lab (underscored flags, insecure port 8080,
//   --portal_net, --machines); the apiserver line is exactly the one the material shows.
// modern: 1.x flag names (--service-cluster-ip-range, --etcd-servers, --secure-port,
//   --proxy-mode, --cluster-cidr); dockershim up to 1.23, cri-dockerd from 1.24 (when
//   dockershim left the kubelet); service-account issuer flags from 1.20, required since.
//   Secure by default, with the lab's PKI (src/pki) provisioned at the paths below: the
//   kubelet is not anonymous, authorizes by webhook and has no read-only port; the
//   controller-manager runs each controller under its own service account (RBAC);
//   NodeRestriction is on; the apiserver reaches kubelets by InternalIP and checks their
//   serving certificates against the CA.
import type { OsFamily } from '../lab/schema.js';
import type { Lab, NodePlan } from '../lab/types.js';
import { atLeast } from '../lab/version.js';

/**
 * Where the PKI lands on the hosts (playbooks/*.yaml lay the files out at these paths; a
 * test checks that every path a flag names is rendered to that host).
 */
export const PKI_DIR = '/etc/kubernetes/pki';
export const KUBECONFIG_DIR = '/etc/kubernetes';
export const PKI_PATHS = {
  caCert: `${PKI_DIR}/ca.crt`,
  apiserverCert: `${PKI_DIR}/apiserver.crt`,
  apiserverKey: `${PKI_DIR}/apiserver.key`,
  apiserverKubeletClientCert: `${PKI_DIR}/apiserver-kubelet-client.crt`,
  apiserverKubeletClientKey: `${PKI_DIR}/apiserver-kubelet-client.key`,
  serviceAccountPublicKey: `${PKI_DIR}/sa.pub`,
  serviceAccountKey: `${PKI_DIR}/sa.key`,
  /** The kubelet's serving certificate (its client certificate is inside kubelet.kubeconfig). */
  kubeletCert: `${PKI_DIR}/kubelet.crt`,
  kubeletKey: `${PKI_DIR}/kubelet.key`,
} as const;
/** A lab service of this name is the cluster's DNS: its clusterIP becomes the kubelets' --cluster-dns. */
export const DNS_SERVICE_NAME = 'kube-dns';
/** cri-dockerd's socket (cri-docker.socket's ListenStream=%t/cri-dockerd.sock). */
export const CRI_DOCKERD_SOCKET = 'unix:///run/cri-dockerd.sock';
export const ETCD_DATA_DIR = '/var/lib/etcd';
export const KUBELET_PORT = 10250;

export function isModern(lab: Lab): boolean {
  return lab.kubernetes.dialect === 'modern';
}

/** From 1.24 the kubelet has no dockershim; docker is reached through cri-dockerd. */
export function usesCriDockerd(lab: Lab): boolean {
  return atLeast(lab.kubernetes, 24);
}

export function serviceAccountIssuer(lab: Lab): string {
  return `https://kubernetes.default.svc.${lab.kubernetes.clusterDomain}`;
}

/** The clusterIP of the lab's DNS service, if it has one. */
export function clusterDns(lab: Lab): string | undefined {
  return lab.services.find((s) => s.name === DNS_SERVICE_NAME)?.clusterIP;
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
    // NodeRestriction completes the Node authorizer: a kubelet may change only its own Node
    // and its own pods. --enable-admission-plugins adds to the defaults (since 1.10).
    '--enable-admission-plugins=NodeRestriction',
    `--client-ca-file=${PKI_PATHS.caCert}`,
    `--tls-cert-file=${PKI_PATHS.apiserverCert}`,
    `--tls-private-key-file=${PKI_PATHS.apiserverKey}`,
    `--kubelet-client-certificate=${PKI_PATHS.apiserverKubeletClientCert}`,
    `--kubelet-client-key=${PKI_PATHS.apiserverKubeletClientKey}`,
    `--kubelet-certificate-authority=${PKI_PATHS.caCert}`,
    // Kubelets register as --hostname-override=<node name>, which nothing may resolve; their
    // InternalIP (--node-ip) always answers, and is in their serving certificate.
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    `--service-account-key-file=${PKI_PATHS.serviceAccountPublicKey}`,
  ];
  if (atLeast(lab.kubernetes, 20)) flags.push(`--service-account-signing-key-file=${PKI_PATHS.serviceAccountKey}`, `--service-account-issuer=${serviceAccountIssuer(lab)}`);
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
  // Each controller acts as its own service account, which the default RBAC roles cover; as
  // system:kube-controller-manager alone it could create no pods and no endpoints. The CA
  // key stays on the machine running labsmith, so no --cluster-signing-* (the CSR signer
  // then stays off: labsmith issues every certificate itself).
  flags.push(`--root-ca-file=${PKI_PATHS.caCert}`, `--service-account-private-key-file=${PKI_PATHS.serviceAccountKey}`, '--use-service-account-credentials=true', '--leader-elect=false');
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
  // Not the flag defaults (anonymous, AlwaysAllow, read-only port 10255): only clients with
  // a certificate of the lab's CA, each request authorized by the apiserver; served with a
  // certificate the apiserver checks (--kubelet-certificate-authority).
  flags.push(
    '--anonymous-auth=false',
    '--authorization-mode=Webhook',
    `--client-ca-file=${PKI_PATHS.caCert}`,
    '--read-only-port=0',
    `--tls-cert-file=${PKI_PATHS.kubeletCert}`,
    `--tls-private-key-file=${PKI_PATHS.kubeletKey}`,
  );
  // --fail-swap-on stays at its default (true): a host with swap on is refused by the kubelet,
  // and preflight names it before apply.
  flags.push(`--cluster-domain=${k.clusterDomain}`);
  const dns = clusterDns(lab);
  if (dns) flags.push(`--cluster-dns=${dns}`);
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
