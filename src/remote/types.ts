// The transport's option, result and counter types, shared by the connection and the helpers
// built on it (atomic uploads), so that neither imports the other's implementation.
import type { RemoteEventListener } from './events.js';

export interface RemoteOptions {
  /** Handshake + authentication must finish within this. Default 10 000 ms. */
  readyTimeoutMs?: number;
  /** SSH keepalive; the connection is declared dead after keepaliveCountMax misses. Defaults 5 000 ms, 3. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Per-command timeout when exec() is not given one; 0 = none. Default 120 000 ms. */
  commandTimeoutMs?: number;
  /** Concurrent channels (exec + the SFTP session) on one connection. sshd's MaxSessions is 10
   * by default; default 8. */
  maxChannels?: number;
  /** Host names (lab names, jump host names) whose changed host key is accepted and replaced:
   * what `--accept-new-host-key H` asks for. */
  acceptChangedHostKeys?: readonly string[];
  onEvent?: RemoteEventListener;
  /** Environment for SSH_AUTH_SOCK and LABSMITH_SSH_PASSPHRASE. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** ~/.ssh/config to honour; null to ignore any. Default `<home>/.ssh/config`. */
  sshConfigPath?: string | null;
  /** Home for `~`, ~/.ssh/config and default keys. Default os.homedir(). */
  homeDir?: string;
  /** ssh2 protocol debug output. */
  debug?: (message: string) => void;
}

export interface ExecOptions {
  stdin?: Buffer | string;
  /** Close the channel (and signal KILL to the command) after this long; 0 = none. */
  timeoutMs?: number;
}

export interface ExecResult {
  /** Exit status; null when the command was killed by a signal. */
  code: number | null;
  /** The signal's name as the server reports it, e.g. 'SIGTERM'. */
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
}

/** What this RemoteHost has done so far. Read them at any time; they only grow. */
export interface RemoteCounters {
  /** SSH connections opened to the host itself (1 per run when all is well). */
  connections: number;
  /** SSH connections opened to bastions on the way (ProxyJump). */
  jumpConnections: number;
  /** Remote commands started (exec channels), including the transport's own (e.g. `mv`). */
  commands: number;
  /** Payload bytes sent: file uploads plus command stdin. */
  bytesSent: number;
  /** Payload bytes received: command stdout and stderr. */
  bytesReceived: number;
  /** Files written by writeFileAtomic. */
  uploads: number;
  /** Authentication methods offered to a server (key or agent), jumps included. */
  authAttempts: number;
}
