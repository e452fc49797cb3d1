// Units restart in dependency order: the control plane from etcd up, then the node's
// runtime before the agents that need it.
const ORDER = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'docker', 'cri-docker', 'kubelet', 'kube-proxy'];

export function restartOrder(units: readonly string[]): string[] {
  const names = [...new Set(units.map((u) => u.replace(/\.service$/, '')))];
  const rank = (u: string) => {
    const i = ORDER.indexOf(u);
    return i === -1 ? ORDER.length : i;
  };
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((u) => `${u}.service`);
}
