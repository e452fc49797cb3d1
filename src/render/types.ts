// What the render phase hands to the apply phase: per host, the files it owns and the
// actions each file triggers when it changes. Render is pure; nothing here touches a host.

/** Something apply does, once per host, after the files that notify it have changed. */
export type Handler =
  | { kind: 'daemon-reload' }
  | { kind: 'restart'; unit: string }
  | { kind: 'network'; what: NetworkHandler };

/** Live changes apply makes without a reboot: docker0, forwarding and the default route from
 * the host's facts; `sysctl` and `modules` apply the file that notified them (sysctl -p; modprobe
 * of each listed module that is not loaded or built in), where a restart of systemd's own
 * oneshot units would re-apply every file and needs a systemd that may load modules. */
export type NetworkHandler = 'docker0' | 'forwarding' | 'default-route' | 'sysctl' | 'modules';

export interface RenderedFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  owner: string;
  group: string;
  /**
   * It holds a private key (a key file, or a kubeconfig embedding one): mode 0600, and its
   * content is never printed (plan --diff shows its size and checksum only).
   */
  secret?: boolean;
  /** The template it came from, relative to templates/ (e.g. "systemd/kubelet.service.hbs"). */
  template: string;
  notifies: Handler[];
}

export interface HostRender {
  host: string;
  role: 'master' | 'minion' | 'router';
  address: string;
  files: RenderedFile[];
}
