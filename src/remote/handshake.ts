// One SSH handshake: the host key checked against known_hosts before any credential is
// offered, then authentication with the planned credentials. Used for the target and for
// every jump host on the way.
import type { Duplex } from 'node:stream';
import type { ConnectConfig } from 'ssh2';
import { makeAuthHandler } from './auth.js';
import { mapConnectError } from './connect-errors.js';
import { prefix, type Endpoint } from './endpoint.js';
import { RemoteError } from './errors.js';
import type { RemoteEvent } from './events.js';
import { checkHostKey, type KnownHosts } from './known-hosts.js';
import type { ProcessStream } from './proxy-command.js';
import type { SshClient } from './ssh-client.js';
import { describeTarget } from './target.js';

export interface HandshakeContext {
  /** The target's name, for messages and events. */
  host: string;
  emit(event: RemoteEvent): void;
  onAuthAttempt(): void;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  debug?: (message: string) => void;
}

/** Handshake, host key check and authentication on one client; resolves with a description
 * of the credential that worked. */
export function handshake(
  ctx: HandshakeContext,
  client: SshClient,
  ep: Endpoint,
  knownHosts: KnownHosts,
  sock: Duplex | undefined,
  proxy: ProcessStream | undefined,
): Promise<string> {
  const tried: string[] = [];
  let hostKeyError: RemoteError | undefined;
  for (const s of ep.plan.skipped) ctx.emit({ kind: 'auth-skipped', host: ctx.host, source: s.source, reason: s.reason });
  const known = knownHosts.preferredAlgorithms(ep.names);
  const config: ConnectConfig = {
    host: ep.address,
    port: ep.port,
    username: ep.user,
    ...(sock ? { sock } : {}),
    readyTimeout: ctx.readyTimeoutMs,
    keepaliveInterval: ctx.keepaliveIntervalMs,
    keepaliveCountMax: ctx.keepaliveCountMax,
    ...(known ? { algorithms: { serverHostKey: { remove: known, prepend: known } as never } } : {}),
    hostVerifier: (rawKey: Buffer): boolean => {
      try {
        const decision = checkHostKey(
          { knownHosts, host: ep.label === ctx.host ? ctx.host : `${ctx.host}'s ${ep.label}`, names: ep.names, acceptNew: ep.acceptNew, acceptChanged: ep.acceptChanged },
          rawKey,
        );
        switch (decision.verdict) {
          case 'known':
            return true;
          case 'recorded':
            ctx.emit({ kind: 'hostkey-recorded', host: ep.label, hostKeyName: ep.names[0]!, keyType: decision.keyType, fingerprint: decision.fingerprint, knownHostsPath: knownHosts.path });
            return true;
          case 'replaced':
            ctx.emit({ kind: 'hostkey-replaced', host: ep.label, hostKeyName: ep.names[0]!, keyType: decision.keyType, fingerprint: decision.fingerprint, oldFingerprints: decision.oldFingerprints, knownHostsPath: knownHosts.path });
            return true;
          case 'refused':
            hostKeyError = new RemoteError('hostkey', ctx.host, decision.error.message);
            return false;
        }
      } catch (err) {
        hostKeyError = new RemoteError('hostkey', ctx.host, `checking the host key against ${knownHosts.path} failed: ${(err as Error).message}`, { cause: err });
        return false;
      }
    },
    authHandler: makeAuthHandler(ep.plan, ep.user, (c) => {
      ctx.onAuthAttempt();
      tried.push(c.source);
    }),
    ...(ctx.debug ? { debug: ctx.debug } : {}),
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
      fail(() => hostKeyError ?? mapConnectError(err, ctx.host, ep, tried, ctx.readyTimeoutMs, ep.plan, proxy));
    });
    client.on('close', () => {
      fail(() => {
        const why = proxy?.describeExit();
        return hostKeyError ?? new RemoteError('connect', ctx.host, `${prefix(ctx.host, ep)}${describeTarget(ep)}${proxy ? ' (via proxy command)' : ''}: connection closed during the SSH handshake${why ? `; proxy command ${why}` : ''}`);
      });
    });
    try {
      client.connect(config);
    } catch (err) {
      fail(() => new RemoteError('connect', ctx.host, `${prefix(ctx.host, ep)}cannot connect to ${describeTarget(ep)}: ${(err as Error).message}`, { cause: err }));
    }
  });
}
