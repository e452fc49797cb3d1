// Where a host is and how to reach it. Built by the caller from the lab (or by
// emulatedTargets(lab) for the emulated copy); the transport fills gaps from ~/.ssh/config.

export interface RemoteTarget {
  /** The host's name in the lab (node or router name); used in messages and events. */
  host: string;
  /** Where to connect (an IP address or DNS name). */
  address: string;
  /** Default: ~/.ssh/config's Port for the host, else 22. */
  port?: number;
  /** Default: ~/.ssh/config's User for the host, else the local user. */
  user?: string;
  /** Private key file (the lab's `ssh.identityFile`); `~` is expanded. */
  identityFile?: string;
  /** Same as identityFile; the name emulatedTargets(lab) uses. */
  privateKeyPath?: string;
  /** A private key given as data (tests, keys from a secret store). */
  privateKey?: Buffer;
  /** Reach the host through a program's stdin/stdout, like OpenSSH's ProxyCommand but as an
   * argument list that is run without a shell, e.g.
   * `['ip', 'netns', 'exec', 'ls-kubmasta', 'socat', 'STDIO', 'TCP:10.20.30.61:22']`. */
  proxyCommand?: string[];
  /** Bastion(s), OpenSSH ProxyJump syntax: `[user@]host[:port][,...]`. Default: ~/.ssh/config. */
  proxyJump?: string;
  /** known_hosts beside the lab's state. */
  knownHostsPath: string;
  /** Record an unknown host key on first contact (trust on first use). Default true. */
  acceptNewHostKey?: boolean;
  /** Replace a recorded key that no longer matches: what `--accept-new-host-key HOST` means.
   * Default false: a changed key is refused. */
  acceptChangedHostKey?: boolean;
}

/** user@address:port, for messages. */
export function describeTarget(t: { address: string; port?: number; user?: string }): string {
  return `${t.user ? `${t.user}@` : ''}${t.address}:${t.port ?? 22}`;
}
