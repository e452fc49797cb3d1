// Where one SSH hop goes and with what: address, port, user, the names its host key is
// recorded under, the credentials to offer, and how a changed key is treated. Resolved from
// the target, ~/.ssh/config and the environment before any connection is made.
import path from 'node:path';
import { describeSkips, type AuthPlan } from './auth.js';
import { RemoteError } from './errors.js';
import { describeTarget } from './target.js';

export interface Endpoint {
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

export function requireCredentials(host: string, ep: Endpoint): void {
  if (ep.plan.candidates.length === 0) {
    throw new RemoteError(
      'auth',
      host,
      `${prefix(host, ep)}no usable credentials for ${describeTarget(ep)}: ${describeSkips(ep.plan.skipped)}`,
    );
  }
}

/** "jump host X: " in front of messages about a hop that is not the target itself. */
export function prefix(host: string, ep: Endpoint): string {
  return ep.label === host ? '' : `${ep.label}: `;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

export function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
