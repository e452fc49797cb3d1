// What the render phase hands to the apply phase: per host, the files it owns and the
// actions each file triggers when it changes. Render is pure; nothing here touches a host.

/** Something apply does, once per host, after the files that notify it have changed. */
export type Handler =
  | { kind: 'daemon-reload' }
  | { kind: 'restart'; unit: string }
  | { kind: 'network'; what: 'docker0' | 'forwarding' | 'default-route' };

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
