// RemoteHost: one ssh2 connection per host for the whole run. Host key checked before
// authentication, credentials planned locally, commands built from argument lists, channels
// kept under sshd's MaxSessions, one SFTP session opened lazily and reused, and counters the
// caller can assert on ("one connection and one remote command per host").

import os from 'node:os';
import type { Duplex } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { defaultIdentityFiles, planAuth, type AuthPlan } from './auth.js';
import { cleanupTemps, writeFileAtomic, type WriteFileOptions, type WriteFileResult } from './atomic-write.js';
import { openWithRetry, runChannel, type ChannelContext } from './channel.js';
import { mapConnectError } from './connect-errors.js';
import { expandHome, requireCredentials, unique, type Endpoint } from './endpoint.js';
import { RemoteError } from './errors.js';
import type { RemoteEvent } from './events.js';
import { handshake, type HandshakeContext } from './handshake.js';
import { hostKeyName, KnownHosts } from './known-hosts.js';
import { Limiter } from './limiter.js';
import { ProcessStream } from './proxy-command.js';
import { shellQuote, shellQuoteArg } from './quote.js';
import { endClient, newClient, type SshClient } from './ssh-client.js';
import { defaultSshConfigPath, lookupSshConfig, parseProxyJump, readSshConfig, type JumpSpec, type LookupContext } from './ssh-config.js';
import { describeTarget, type RemoteTarget } from './target.js';
import type { ExecOptions, ExecResult, RemoteCounters, RemoteOptions } from './types.js';

export type { ExecOptions, ExecResult, RemoteCounters, RemoteOptions };

const DEFAULTS = {
  readyTimeoutMs: 10_000,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  commandTimeoutMs: 120_000,
  maxChannels: 8,
};

export class RemoteHost {
  readonly counters: RemoteCounters = {
    connections: 0,
    jumpConnections: 0,
    commands: 0,
    bytesSent: 0,
    bytesReceived: 0,
    uploads: 0,
    authAttempts: 0,
  };
  private readonly opts: Required<Pick<RemoteOptions, keyof typeof DEFAULTS>> & RemoteOptions;
  private readonly channels: Limiter;
  private client: SshClient | undefined;
  private readonly jumpClients: SshClient[] = [];
  private proxy: ProcessStream | undefined;
  private connecting: Promise<SshClient> | undefined;
  private lost: RemoteError | undefined;
  private closed = false;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private readonly idCache = new Map<string, Promise<{ uid?: number; gid?: number }>>();

  constructor(
    readonly target: RemoteTarget,
    options: RemoteOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...stripUndefined(options) };
    this.channels = new Limiter(this.opts.maxChannels);
  }

  get name(): string {
    return this.target.host;
  }

  /** Connect (once; later calls share the first attempt). Rejects with a RemoteError of kind
   * connect, auth, hostkey or timeout. */
  connect(): Promise<void> {
    return this.ready().then(() => undefined);
  }

  /** Run argv on the host (quoted for POSIX sh). A non-zero exit is a result, not an error;
   * a timeout rejects with kind 'timeout', a lost connection with kind 'connect'. */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellQuote(argv);
    const client = await this.ready();
    const release = await this.channels.acquire();
    return runChannel(this.channelContext(), client, command, argv, options, release);
  }

  /** The host's SFTP session, opened on first use and reused; it holds one channel slot. */
  sftp(): Promise<SFTPWrapper> {
    if (!this.sftpSession) {
      const session = this.openSftp();
      this.sftpSession = session;
      session.catch(() => {
        if (this.sftpSession === session) this.sftpSession = undefined;
      });
    }
    return this.sftpSession;
  }

  /** Upload to a temporary name beside `path`, set mode/owner, keep the old file as
   * `<path>.labsmith.bak` when asked, rename over. See atomic-write.ts. */
  writeFileAtomic(filePath: string, content: Buffer | string, options: WriteFileOptions): Promise<WriteFileResult> {
    return writeFileAtomic(this, filePath, content, options);
  }

  /** Remove temp files an interrupted upload left in `dir`; returns their paths. */
  cleanupTemps(dir: string): Promise<string[]> {
    return cleanupTemps(this, dir);
  }

  /** Numeric uid/gid for owner/group names on this host (one command per new pair, cached). */
  resolveIds(owner?: string | number, group?: string | number): Promise<{ uid?: number; gid?: number }> {
    // root is uid 0 and gid 0 on every Linux; no need to ask.
    const numeric = (v: string | number | undefined) =>
      typeof v === 'number' ? v : v === 'root' ? 0 : v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
    const uid = numeric(owner);
    const gid = numeric(group);
    const ownerName = owner !== undefined && uid === undefined ? String(owner) : '';
    const groupName = group !== undefined && gid === undefined ? String(group) : '';
    if (!ownerName && !groupName) return Promise.resolve({ ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) });
    const key = `${ownerName}:${groupName}`;
    let hit = this.idCache.get(key);
    if (!hit) {
      hit = this.lookupIds(ownerName, groupName);
      this.idCache.set(key, hit);
      hit.catch(() => this.idCache.delete(key));
    }
    return hit.then((r) => ({
      ...(uid !== undefined ? { uid } : r.uid !== undefined ? { uid: r.uid } : {}),
      ...(gid !== undefined ? { gid } : r.gid !== undefined ? { gid: r.gid } : {}),
    }));
  }

  /** Why the connection is unusable (lost, closed, destroyed); undefined while it is fine. */
  get lostReason(): RemoteError | undefined {
    return this.lost;
  }

  /** Count payload bytes sent by helpers built on this host (uploads). */
  countSent(bytes: number): void {
    this.counters.bytesSent += bytes;
  }

  /** Close the SFTP session and the connection(s) politely; waits for them to go. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lost ??= new RemoteError('connect', this.name, 'connection closed by labsmith');
    const session = this.sftpSession;
    this.sftpSession = undefined;
    if (session) {
      try {
        (await session).end();
      } catch {
        /* never opened */
      }
    }
    const clients = [...(this.client ? [this.client] : []), ...this.jumpClients.slice().reverse()];
    await Promise.all(clients.map((c) => endClient(c)));
    this.proxy?.destroy();
  }

  /** Drop the connection at once (an interrupt, or a test simulating a dead link). */
  destroy(): void {
    this.closed = true;
    this.lost ??= new RemoteError('connect', this.name, 'connection destroyed');
    for (const c of [this.client, ...this.jumpClients]) c?.destroy();
    this.proxy?.destroy();
  }

  // ---------------------------------------------------------------------------------------

  private emit(event: RemoteEvent): void {
    this.opts.onEvent?.(event);
  }

  private handshakeContext(): HandshakeContext {
    return {
      host: this.name,
      emit: (e) => this.emit(e),
      onAuthAttempt: () => void this.counters.authAttempts++,
      readyTimeoutMs: this.opts.readyTimeoutMs,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      ...(this.opts.debug ? { debug: this.opts.debug } : {}),
    };
  }

  private channelContext(): ChannelContext {
    return { host: this.name, lost: () => this.lost, counters: this.counters, commandTimeoutMs: this.opts.commandTimeoutMs };
  }

  private ready(): Promise<SshClient> {
    if (this.lost) return Promise.reject(this.lost);
    if (!this.connecting) {
      this.connecting = this.doConnect();
      this.connecting.catch(() => {});
    }
    return this.connecting.then((c) => {
      if (this.lost) throw this.lost;
      return c;
    });
  }

  private lookupContext(): LookupContext {
    let localUser = 'root';
    try {
      localUser = os.userInfo().username;
    } catch {
      /* no passwd entry */
    }
    return { home: this.opts.homeDir ?? os.homedir(), localUser };
  }

  private acceptsChanged(name: string): boolean {
    return this.opts.acceptChangedHostKeys?.includes(name) ?? false;
  }

  private async doConnect(): Promise<SshClient> {
    if (this.closed) throw new RemoteError('connect', this.name, 'host was closed before connecting');
    const t = this.target;
    const ctx = this.lookupContext();
    const configPath = this.opts.sshConfigPath === undefined ? defaultSshConfigPath(ctx.home) : this.opts.sshConfigPath;
    const sshConfig = configPath ? readSshConfig(configPath) : undefined;
    const cfg = lookupSshConfig(sshConfig, [t.host, t.address], ctx);
    const env = this.opts.env ?? process.env;
    const port = t.port ?? cfg.port ?? 22;
    const user = t.user ?? cfg.user ?? ctx.localUser;
    const keyPath = t.identityFile ?? t.privateKeyPath;
    const explicitKeyPath = keyPath ? expandHome(keyPath, ctx.home) : undefined;
    const planFor = (configIdentityFiles: string[]) =>
      planAuth({
        ...(explicitKeyPath ? { explicitKeyPath } : {}),
        ...(t.privateKey ? { explicitKeyData: t.privateKey } : {}),
        configIdentityFiles,
        defaultIdentityFiles: defaultIdentityFiles(ctx.home),
        env,
      });
    const knownHosts = new KnownHosts(t.knownHostsPath);
    const endpoint: Endpoint = {
      label: t.host,
      address: t.address,
      port,
      user,
      names: unique([hostKeyName(t.address, port), hostKeyName(t.host, port)]),
      plan: planFor(cfg.identityFiles),
      acceptNew: t.acceptNewHostKey ?? true,
      acceptChanged: (t.acceptChangedHostKey ?? false) || this.acceptsChanged(t.host),
    };
    requireCredentials(this.name, endpoint);

    let sock: Duplex | undefined;
    let via: 'direct' | 'proxy-command' | 'proxy-jump' = 'direct';
    if (t.proxyCommand?.length) {
      via = 'proxy-command';
      sock = this.proxy = new ProcessStream(t.proxyCommand);
    } else if (t.proxyJump ?? cfg.proxyJump) {
      via = 'proxy-jump';
      const jumps = parseProxyJump((t.proxyJump ?? cfg.proxyJump)!);
      sock = await this.openJumpChain(jumps, endpoint, sshConfig, ctx, planFor, knownHosts);
    } else if (cfg.proxyCommand) {
      via = 'proxy-command';
      // OpenSSH runs ProxyCommand with a shell; the %-tokens we substitute are quoted so a
      // host name from the lab cannot become shell syntax.
      const expanded = cfg.proxyCommand.replace(/%([%hpr])/g, (_, tok: string) =>
        tok === '%' ? '%' : shellQuoteArg(tok === 'h' ? t.address : tok === 'p' ? String(port) : user),
      );
      sock = this.proxy = new ProcessStream(['/bin/sh', '-c', expanded]);
    }

    const client = newClient();
    this.client = client;
    this.counters.connections++;
    const auth = await handshake(this.handshakeContext(), client, endpoint, knownHosts, sock, this.proxy);
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'agent') return;
      this.lost ??= mapConnectError(err, this.name, endpoint, [], this.opts.readyTimeoutMs, undefined, this.proxy);
    });
    client.on('close', () => {
      this.lost ??= new RemoteError('connect', this.name, `connection to ${describeTarget(endpoint)} closed`);
      this.emit({ kind: 'closed', host: this.name });
    });
    this.emit({ kind: 'connected', host: this.name, via, auth });
    return client;
  }

  private async openJumpChain(
    jumps: JumpSpec[],
    final: Endpoint,
    sshConfig: ReturnType<typeof readSshConfig>,
    ctx: LookupContext,
    planFor: (identityFiles: string[]) => AuthPlan,
    knownHosts: KnownHosts,
  ): Promise<Duplex> {
    const hops: Endpoint[] = jumps.map((j) => {
      const cfg = lookupSshConfig(sshConfig, [j.host], ctx);
      const port = j.port ?? cfg.port ?? 22;
      const address = cfg.hostName ?? j.host;
      return {
        label: `jump host ${j.host}`,
        address,
        port,
        user: j.user ?? cfg.user ?? ctx.localUser,
        names: unique([hostKeyName(address, port), hostKeyName(j.host, port)]),
        plan: planFor(cfg.identityFiles),
        acceptNew: this.target.acceptNewHostKey ?? true,
        acceptChanged: this.acceptsChanged(j.host),
      };
    });
    let sock: Duplex | undefined;
    for (let i = 0; i < hops.length; i++) {
      const hop = hops[i]!;
      requireCredentials(this.name, hop);
      const client = newClient();
      this.jumpClients.push(client);
      this.counters.jumpConnections++;
      await handshake(this.handshakeContext(), client, hop, knownHosts, sock, undefined);
      client.on('error', () => {}); // the target connection reports the loss
      const next = hops[i + 1] ?? final;
      sock = await new Promise<ClientChannel>((resolve, reject) =>
        client.forwardOut('127.0.0.1', 0, next.address, next.port, (err, stream) => {
          if (err) {
            reject(new RemoteError('connect', this.name, `${hop.label} (${describeTarget(hop)}) could not open a tunnel to ${next.address}:${next.port}: ${err.message}`));
          } else resolve(stream);
        }),
      );
    }
    return sock!;
  }

  private async openSftp(): Promise<SFTPWrapper> {
    const client = await this.ready();
    const release = await this.channels.acquire();
    try {
      const sftp = await openWithRetry<SFTPWrapper>(this.channelContext(), 'the SFTP session', (cb) => client.sftp(cb));
      sftp.on('close', () => {
        release();
        this.sftpSession = undefined;
      });
      sftp.on('error', () => {});
      return sftp;
    } catch (err) {
      release();
      throw err;
    }
  }

  private async lookupIds(owner: string, group: string): Promise<{ uid?: number; gid?: number }> {
    // A fixed script; the names arrive as positional parameters, never as shell text.
    const script = 'set -e; if [ -n "$1" ]; then id -u -- "$1"; else echo; fi; if [ -n "$2" ]; then getent group -- "$2" | cut -d: -f3; else echo; fi';
    const r = await this.exec(['sh', '-c', script, 'labsmith-ids', owner, group]);
    const [u, g] = r.stdout.toString('utf8').split('\n');
    const uid = owner ? Number(u) : undefined;
    const gid = group ? Number(g) : undefined;
    if (r.code !== 0 || (owner && !/^\d+$/.test(u ?? '')) || (group && !/^\d+$/.test(g ?? ''))) {
      throw new RemoteError('command', this.name, `cannot resolve owner ${JSON.stringify(owner)} / group ${JSON.stringify(group)}: ${r.stderr.toString('utf8').trim() || 'not found'}`);
    }
    return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
