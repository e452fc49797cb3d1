// The parts of ~/.ssh/config labsmith honours: User, Port, HostName, IdentityFile,
// IdentitiesOnly, ProxyJump and ProxyCommand. Parsed with the ssh-config package; `Match exec`
// is never evaluated (reading a config must not run commands).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';

export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** Expanded paths (`~`, `%d`, `%u`, `%h`, `%r`, `%%`), in config order. */
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** `none` is folded into undefined. */
  proxyJump?: string;
  proxyCommand?: string;
}

export function defaultSshConfigPath(home = os.homedir()): string {
  return path.join(home, '.ssh', 'config');
}

const cache = new Map<string, { mtimeMs: number; config: SSHConfig }>();

/** Parse a config file; undefined when it does not exist. Cached by path and mtime. */
export function readSshConfig(file: string): SSHConfig | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.config;
  const config = SSHConfig.parse(fs.readFileSync(file, 'utf8'));
  cache.set(file, { mtimeMs: st.mtimeMs, config });
  return config;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface LookupContext {
  home: string;
  localUser: string;
}

/** Expand the tokens OpenSSH allows in IdentityFile. */
export function expandSshPath(p: string, host: string, remoteUser: string, ctx: LookupContext): string {
  let out = p.replace(/%([%dhru])/g, (_, t: string) =>
    t === '%' ? '%' : t === 'd' ? ctx.home : t === 'h' ? host : t === 'r' ? remoteUser : ctx.localUser,
  );
  if (out === '~') out = ctx.home;
  else if (out.startsWith('~/')) out = path.join(ctx.home, out.slice(2));
  return out;
}

/** Look `names` up in order (a lab node's name, then its address); for every setting the first
 * value found wins, as in OpenSSH. */
export function lookupSshConfig(config: SSHConfig | undefined, names: readonly string[], ctx: LookupContext): SshConfigHost {
  const merged: Record<string, string | string[]> = {};
  if (config) {
    for (const name of names) {
      const found = config.compute(name, { ignoreCase: true, matchExec: false });
      for (const [k, v] of Object.entries(found)) {
        if (k === 'host') continue;
        if (k === 'identityfile') merged[k] = [...all(merged[k]), ...all(v)];
        else if (!(k in merged)) merged[k] = v;
      }
    }
  }
  const hostName = first(merged['hostname']);
  const user = first(merged['user']);
  const portText = first(merged['port']);
  const port = portText !== undefined ? Number(portText) : undefined;
  const proxyJump = first(merged['proxyjump']);
  const proxyCommand = Array.isArray(merged['proxycommand']) ? merged['proxycommand'].join(' ') : merged['proxycommand'];
  const identitiesOnly = first(merged['identitiesonly']);
  const target = hostName ?? names[0] ?? '';
  const remoteUser = user ?? ctx.localUser;
  return {
    ...(hostName ? { hostName: hostName.replace(/%h/g, names[0] ?? '') } : {}),
    ...(user ? { user } : {}),
    ...(port !== undefined && Number.isInteger(port) ? { port } : {}),
    identityFiles: [...new Set(all(merged['identityfile']).map((p) => expandSshPath(p, target, remoteUser, ctx)))],
    ...(identitiesOnly !== undefined ? { identitiesOnly: identitiesOnly.toLowerCase() === 'yes' } : {}),
    ...(proxyJump && proxyJump.toLowerCase() !== 'none' ? { proxyJump } : {}),
    ...(proxyCommand && proxyCommand.toLowerCase() !== 'none' ? { proxyCommand } : {}),
  };
}

/** One hop of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
}

export function parseProxyJump(value: string): JumpSpec[] {
  return value.split(',').map((hop) => {
    let s = hop.trim().replace(/^ssh:\/\//, '');
    let user: string | undefined;
    const at = s.lastIndexOf('@');
    if (at >= 0) {
      user = s.slice(0, at);
      s = s.slice(at + 1);
    }
    let port: number | undefined;
    const m = /^\[(.+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
    if (m) {
      s = m[1]!;
      if (m[2]) port = Number(m[2]);
    }
    return { host: s, ...(user ? { user } : {}), ...(port ? { port } : {}) };
  });
}
