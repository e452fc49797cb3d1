// RemoteHost: one ssh2 connection per host for the whole run. Host key checked before
// authentication, credentials planned locally, commands built from argument lists, channels
// kept under sshd's MaxSessions, one SFTP session opened lazily and reused, and counters the
// caller can assert on ("one connection and one remote command per host").

import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { describeSkips, defaultIdentityFiles, makeAuthHandler, planAuth, type AuthPlan } from './auth.js';
import { cleanupTemps, writeFileAtomic, type WriteFileOptions, type WriteFileResult } from './atomic-write.js';
import { RemoteError } from './errors.js';
import type { RemoteEvent, RemoteEventListener } from './events.js';
import { checkHostKey, hostKeyName, KnownHosts } from './known-hosts.js';
import { Limiter } from './limiter.js';
import { ProcessStream } from './proxy-command.js';
import { shellQuote, shellQuoteArg } from './quote.js';
import { defaultSshConfigPath, lookupSshConfig, parseProxyJump, readSshConfig, type JumpSpec, type LookupContext } from './ssh-config.js';
import { describeTarget, type RemoteTarget } from './target.js';

const { Client } = ssh2;
type SshClient = InstanceType<typeof Client>;

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

const OPEN_RETRIES = 5;

const DEFAULTS = {
  readyTimeoutMs: 10_000,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  commandTimeoutMs: 120_000,
  maxChannels: 8,
};

interface Endpoint {
  /** Display name in errors: the node, or "jump host NAME". */
  label: string;
  address: string;
  port: number;
  user: string;
  names: string[];
  plan: AuthPlan;
  acceptNew: boolean;
  acceptChanged: boolean;
}

function summarizeCommand(argv: readonly string[]): string {
  const s = shellQuote(argv);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

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
    return this.runChannel(client, command, argv, options, release);
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
    const auth = await this.handshake(client, endpoint, knownHosts, sock, this.proxy);
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
      await this.handshake(client, hop, knownHosts, sock, undefined);
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

  /** Handshake, host key check and authentication on one client; resolves with a description
   * of the credential that worked. */
  private handshake(
    client: SshClient,
    ep: Endpoint,
    knownHosts: KnownHosts,
    sock: Duplex | undefined,
    proxy: ProcessStream | undefined,
  ): Promise<string> {
    const tried: string[] = [];
    let hostKeyError: RemoteError | undefined;
    for (const s of ep.plan.skipped) this.emit({ kind: 'auth-skipped', host: this.name, source: s.source, reason: s.reason });
    const known = knownHosts.preferredAlgorithms(ep.names);
    const config: ConnectConfig = {
      host: ep.address,
      port: ep.port,
      username: ep.user,
      ...(sock ? { sock } : {}),
      readyTimeout: this.opts.readyTimeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      ...(known ? { algorithms: { serverHostKey: { remove: known, prepend: known } as never } } : {}),
      hostVerifier: (rawKey: Buffer): boolean => {
        try {
          const decision = checkHostKey(
            { knownHosts, host: ep.label === this.name ? this.name : `${this.name}'s ${ep.label}`, names: ep.names, acceptNew: ep.acceptNew, acceptChanged: ep.acceptChanged },
            rawKey,
          );
          switch (decision.verdict) {
            case 'known':
              return true;
            case 'recorded':
              this.emit({ kind: 'hostkey-recorded', host: ep.label, hostKeyName: ep.names[0]!, keyType: decision.keyType, fingerprint: decision.fingerprint, knownHostsPath: knownHosts.path });
              return true;
            case 'replaced':
              this.emit({ kind: 'hostkey-replaced', host: ep.label, hostKeyName: ep.names[0]!, keyType: decision.keyType, fingerprint: decision.fingerprint, oldFingerprints: decision.oldFingerprints, knownHostsPath: knownHosts.path });
              return true;
            case 'refused':
              hostKeyError = new RemoteError('hostkey', this.name, decision.error.message);
              return false;
          }
        } catch (err) {
          hostKeyError = new RemoteError('hostkey', this.name, `checking the host key against ${knownHosts.path} failed: ${(err as Error).message}`, { cause: err });
          return false;
        }
      },
      authHandler: makeAuthHandler(ep.plan, ep.user, (c) => {
        this.counters.authAttempts++;
        tried.push(c.source);
      }),
      ...(this.opts.debug ? { debug: this.opts.debug } : {}),
    };
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const fail = (make: () => RemoteError) => {
        if (settled) return;
        settled = true;
        client.destroy();
        // A proxy that died is the real story: wait for its exit status and stderr.
        if (proxy) void proxy.settled(500).then(() => reject(make()));
        else reject(make());
      };
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        resolve(tried[tried.length - 1] ?? 'no authentication');
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (err.level === 'agent') {
          tried.push(`(agent error: ${err.message})`);
          return;
        }
        fail(() => hostKeyError ?? mapConnectError(err, this.name, ep, tried, this.opts.readyTimeoutMs, ep.plan, proxy));
      });
      client.on('close', () => {
        fail(() => {
          const why = proxy?.describeExit();
          return hostKeyError ?? new RemoteError('connect', this.name, `${prefix(this.name, ep)}${describeTarget(ep)}${proxy ? ' (via proxy command)' : ''}: connection closed during the SSH handshake${why ? `; proxy command ${why}` : ''}`);
        });
      });
      try {
        client.connect(config);
      } catch (err) {
        fail(() => new RemoteError('connect', this.name, `${prefix(this.name, ep)}cannot connect to ${describeTarget(ep)}: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  /** Open a channel, retrying briefly when the server refuses it: sshd frees a session slot a
   * little after the channel's close reaches us, so a burst can hit MaxSessions anyway.
   * `wire` runs synchronously in ssh2's callback: ssh2 may deliver a command's output, exit
   * status and close in the same tick as the channel, before any promise continuation runs. */
  private async openWithRetry<T>(what: string, open: (cb: (err: Error | undefined, value: T) => void) => void, wire?: (value: T) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<T>((resolve, reject) =>
          open((err, value) => {
            if (err) return reject(err);
            wire?.(value);
            resolve(value);
          }),
        );
      } catch (err) {
        const refused = /open failed|administratively prohibited/i.test((err as Error).message);
        if (!refused || this.lost || attempt >= OPEN_RETRIES) {
          throw new RemoteError(this.lost ? 'connect' : 'command', this.name, `cannot start ${what}: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  /** Runs one command on a channel; `release` gives the channel slot back once the channel is
   * really closed (or the connection is gone), not merely when we stop waiting for it. */
  private runChannel(client: SshClient, command: string, argv: readonly string[], options: ExecOptions, release: () => void): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.opts.commandTimeoutMs;
    const host = this.name;
    const what = summarizeCommand(argv);
    return new Promise<ExecResult>((resolve, reject) => {
      let stream: ClientChannel | undefined;
      let timedOut = false;
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        fn();
      };
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              if (stream) {
                stopChannel(stream);
                // Should the server never confirm the close, don't hold the slot forever.
                setTimeout(release, 5_000).unref();
              }
              finish(() => reject(new RemoteError('timeout', host, `command did not finish within ${timeoutMs} ms and was stopped: ${what}`)));
            }, timeoutMs)
          : undefined;
      const wire = (ch: ClientChannel) => {
        this.counters.commands++;
        stream = ch;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null | undefined;
        let signal: string | undefined;
        ch.on('data', (d: Buffer) => {
          stdout.push(d);
          this.counters.bytesReceived += d.length;
        });
        ch.stderr.on('data', (d: Buffer) => {
          stderr.push(d);
          this.counters.bytesReceived += d.length;
        });
        ch.on('exit', (c: number | null, sig?: string) => {
          code = c;
          if (sig) signal = sig;
        });
        ch.on('close', () => {
          release();
          if (code === undefined) {
            finish(() => reject(this.lost ?? new RemoteError('command', host, `${what}: the server closed the channel without an exit status`)));
            return;
          }
          finish(() => resolve({ code: code ?? null, ...(signal ? { signal } : {}), stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
        });
        ch.on('error', () => {});
        if (timedOut) {
          stopChannel(ch);
          return;
        }
        if (options.stdin !== undefined) {
          const buf = typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin;
          this.counters.bytesSent += buf.length;
          ch.end(buf);
        } else {
          ch.end();
        }
      };
      this.openWithRetry<ClientChannel>(what, (cb) => client.exec(command, cb), wire).catch((err: RemoteError) => {
        release();
        finish(() => reject(err));
      });
    });
  }

  private async openSftp(): Promise<SFTPWrapper> {
    const client = await this.ready();
    const release = await this.channels.acquire();
    try {
      const sftp = await this.openWithRetry<SFTPWrapper>('the SFTP session', (cb) => client.sftp(cb));
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

function stopChannel(ch: ClientChannel): void {
  try {
    ch.signal('KILL'); // OpenSSH >= 7.9 delivers it; older servers ignore it
  } catch {
    /* channel already gone */
  }
  try {
    ch.close();
  } catch {
    /* already closed */
  }
}

const closedClients = new WeakSet<SshClient>();

function newClient(): SshClient {
  const c = new Client();
  c.once('close', () => closedClients.add(c));
  return c;
}

function endClient(c: SshClient): Promise<void> {
  if (closedClients.has(c)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      c.destroy();
      resolve();
    }, 2_000);
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      c.end();
    } catch {
      c.destroy();
    }
    if (closedClients.has(c)) {
      clearTimeout(timer);
      resolve();
    }
  });
}

function requireCredentials(host: string, ep: Endpoint): void {
  if (ep.plan.candidates.length === 0) {
    throw new RemoteError(
      'auth',
      host,
      `${prefix(host, ep)}no usable credentials for ${describeTarget(ep)}: ${describeSkips(ep.plan.skipped)}`,
    );
  }
}

function prefix(host: string, ep: Endpoint): string {
  return ep.label === host ? '' : `${ep.label}: `;
}

function mapConnectError(
  err: Error & { level?: string; code?: string },
  host: string,
  ep: Endpoint,
  tried: string[],
  readyTimeoutMs: number,
  plan: AuthPlan | undefined,
  proxy: ProcessStream | undefined,
): RemoteError {
  const where = `${prefix(host, ep)}${describeTarget(ep)}${proxy ? ` (via proxy command ${proxy.argv[0]})` : ''}`;
  const proxyWhy = proxy?.describeExit();
  const proxyNote = proxyWhy ? `; proxy command ${proxyWhy}` : '';
  switch (err.level) {
    case 'client-timeout':
      if (/keepalive/i.test(err.message)) return new RemoteError('timeout', host, `${where}: no answer to keepalives; connection dropped`, { cause: err });
      return new RemoteError('timeout', host, `${where}: no SSH handshake and login within ${readyTimeoutMs} ms (host hung or filtered?)${proxyNote}`, { cause: err });
    case 'client-authentication': {
      const skipped = plan?.skipped.length ? `; not usable: ${describeSkips(plan.skipped)}` : '';
      return new RemoteError('auth', host, `${where}: the server refused authentication as ${ep.user}; offered: ${tried.join(', ') || 'nothing'}${skipped}`, { cause: err });
    }
    case 'client-socket': {
      const code = err.code ? ` (${err.code})` : '';
      const hint = err.code === 'ECONNREFUSED' ? ': connection refused, is sshd running and listening on that port?' : `: ${err.message}`;
      return new RemoteError('connect', host, `${where}${code}${hint}${proxyNote}`, { cause: err });
    }
    default: {
      const hint = /lost before handshake/i.test(err.message) && !proxy ? ' (the server hung up before its greeting: sshd MaxStartups reached, or a TCP wrapper or firewall?)' : '';
      return new RemoteError('connect', host, `${where}: SSH ${err.level ?? 'connection'} error: ${err.message}${hint}${proxyNote}`, { cause: err });
    }
  }
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
