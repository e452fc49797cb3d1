// Units restart in dependency order: kernel modules before the sysctls that need them, the
// control plane from etcd up, then the node's runtime and its FORWARD rules before the
// agents that need them.
const ORDER = ['systemd-modules-load', 'systemd-sysctl', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'docker', 'cri-docker', 'labsmith-forward', 'kubelet', 'kube-proxy'];

/** Unit names, deduplicated and ordered; a bare name means NAME.service. */
export function restartOrder(units: readonly string[]): string[] {
  const full = [...new Set(units.map((u) => (/\.(service|socket)$/.test(u) ? u : `${u}.service`)))];
  const rank = (u: string) => {
    const i = ORDER.indexOf(u.replace(/\.(service|socket)$/, ''));
    return i === -1 ? ORDER.length : i;
  };
  // A socket unit goes before its service, as systemd starts them.
  const kind = (u: string) => (u.endsWith('.socket') ? 0 : 1);
  return full.sort((a, b) => rank(a) - rank(b) || kind(a) - kind(b) || a.localeCompare(b));
}
