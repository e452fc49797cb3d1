// Many hosts in parallel under a concurrency limit. A host that is down, refuses, hangs or
// fails a command fails alone, with a typed RemoteError; the others finish; every connection
// is closed at the end.

import { RemoteHost, type RemoteCounters, type RemoteOptions } from './connection.js';
import { RemoteError, toRemoteError } from './errors.js';
import { Limiter } from './limiter.js';
import type { RemoteTarget } from './target.js';

export interface PoolOptions extends RemoteOptions {
  /** Hosts worked on at once. Default 10. */
  concurrency?: number;
}

export type PoolOutcome<T> =
  | { host: string; ok: true; value: T; counters: RemoteCounters }
  | { host: string; ok: false; error: RemoteError; counters: RemoteCounters };

export const DEFAULT_CONCURRENCY = 10;

function checkNames(targets: readonly RemoteTarget[]): void {
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.host)) throw new TypeError(`duplicate host name ${t.host} in targets`);
    seen.add(t.host);
  }
}

/** Connect to each target and run `fn` on it, at most `concurrency` hosts at a time. Each
 * host's connection is closed as soon as its `fn` is done. Outcomes come back in target
 * order; this never rejects because of a host. */
export async function forEachHost<T>(
  targets: readonly RemoteTarget[],
  fn: (host: RemoteHost) => Promise<T>,
  options: PoolOptions = {},
): Promise<PoolOutcome<T>[]> {
  checkNames(targets);
  const limiter = new Limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  return Promise.all(
    targets.map((t) =>
      limiter.run(async (): Promise<PoolOutcome<T>> => {
        const host = new RemoteHost(t, options);
        try {
          await host.connect();
          const value = await fn(host);
          return { host: t.host, ok: true, value, counters: host.counters };
        } catch (err) {
          return { host: t.host, ok: false, error: toRemoteError(err, t.host), counters: host.counters };
        } finally {
          await host.close();
        }
      }),
    ),
  );
}

export interface ConnectedPool {
  /** Connected hosts, in target order. */
  hosts: RemoteHost[];
  /** Hosts that could not be reached, in target order. */
  failed: RemoteError[];
  byName(name: string): RemoteHost | undefined;
  closeAll(): Promise<void>;
}

/** Connect to every target (at most `concurrency` handshakes at a time) and keep the
 * connections open for the caller; failures are collected, not thrown. */
export async function connectAll(targets: readonly RemoteTarget[], options: PoolOptions = {}): Promise<ConnectedPool> {
  checkNames(targets);
  const limiter = new Limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  const results = await Promise.all(
    targets.map((t) =>
      limiter.run(async () => {
        const host = new RemoteHost(t, options);
        try {
          await host.connect();
          return { host };
        } catch (err) {
          await host.close();
          return { error: toRemoteError(err, t.host, 'connect') };
        }
      }),
    ),
  );
  const hosts = results.flatMap((r) => (r.host ? [r.host] : []));
  const failed = results.flatMap((r) => (r.error ? [r.error] : []));
  return {
    hosts,
    failed,
    byName: (name) => hosts.find((h) => h.name === name),
    closeAll: async () => {
      await Promise.all(hosts.map((h) => h.close()));
    },
  };
}
