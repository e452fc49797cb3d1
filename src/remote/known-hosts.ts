// Host key checking against a known_hosts file kept beside the lab's state, in OpenSSH's own
// format (`name[,name...] keytype base64`, `[host]:port` for ports other than 22), so `ssh`
// and `ssh-keygen -R/-F` work on the same file. First contact records the key and says so; a
// changed key is refused before authentication with both fingerprints and how to accept it.

import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { RemoteError } from './errors.js';

const { utils } = ssh2;

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + base64 without padding. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH files a host under: `host` on port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  marker?: '@revoked' | '@cert-authority';
  /** The raw host field: comma-separated patterns, or one `|1|salt|hash` hashed name. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields.shift() as KnownHostEntry['marker'];
    } else if (fields[0]?.startsWith('@')) {
      continue; // unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) continue;
    const key = Buffer.from(b64, 'base64');
    const parsed = utils.parseKey(key);
    if (parsed instanceof Error || Array.isArray(parsed) || parsed.type !== keyType) continue;
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), hosts, keyType, key });
  }
  return entries;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Does a known_hosts host field match one of `names`? Handles hashed names (`|1|salt|hash`),
 * comma lists, `*`/`?` wildcards and `!negation` as OpenSSH does. */
export function hostsFieldMatches(hosts: string, names: readonly string[]): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const saltBuf = Buffer.from(salt, 'base64');
    return names.some((n) => createHmac('sha1', saltBuf).update(n).digest('base64') === hash);
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const re = globToRegExp(negated ? pattern.slice(1) : pattern);
    if (names.some((n) => re.test(n))) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** ssh2 host key algorithms that can produce a key of this type. */
function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (keyType === 'ssh-ed25519' || keyType.startsWith('ecdsa-sha2-')) return [keyType];
  return [];
}

export class KnownHosts {
  constructor(readonly path: string) {}

  read(): KnownHostEntry[] {
    try {
      return parseKnownHosts(fs.readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Plain (non-marker) entries for any of `names`. */
  find(names: readonly string[]): KnownHostEntry[] {
    return this.read().filter((e) => !e.marker && hostsFieldMatches(e.hosts, names));
  }

  isRevoked(names: readonly string[], key: Buffer): boolean {
    return this.read().some((e) => e.marker === '@revoked' && e.key.equals(key) && hostsFieldMatches(e.hosts, names));
  }

  /** Host key algorithms to offer first so the server shows the key we already know (as
   * OpenSSH does); undefined when nothing is known. */
  preferredAlgorithms(names: readonly string[]): string[] | undefined {
    const algos = [...new Set(this.find(names).flatMap((e) => algorithmsForKeyType(e.keyType)))];
    return algos.length ? algos : undefined;
  }

  append(names: readonly string[], keyType: string, key: Buffer): void {
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    let prefix = '';
    try {
      const text = fs.readFileSync(this.path, 'utf8');
      if (text.length && !text.endsWith('\n')) prefix = '\n';
    } catch {
      /* new file */
    }
    fs.appendFileSync(this.path, `${prefix}${names.join(',')} ${keyType} ${key.toString('base64')}\n`, { mode: 0o644 });
  }

  /** Drop the given lines (1-based) and append the new key; the file is replaced atomically. */
  replace(dropLines: readonly number[], names: readonly string[], keyType: string, key: Buffer): void {
    const drop = new Set(dropLines);
    let text = '';
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      /* new file */
    }
    const kept = text.split('\n').filter((_, i) => !drop.has(i + 1));
    while (kept.length && kept[kept.length - 1] === '') kept.pop();
    kept.push(`${names.join(',')} ${keyType} ${key.toString('base64')}`);
    const tmp = `${this.path}.labsmith-tmp-${process.pid}`;
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    fs.writeFileSync(tmp, kept.join('\n') + '\n', { mode: 0o644 });
    fs.renameSync(tmp, this.path);
  }
}

export interface HostKeyCheck {
  knownHosts: KnownHosts;
  /** The host's display name (node name) for messages and the accept option. */
  host: string;
  /** Names the key is filed under; the first is the one `ssh-keygen -R` is told about. */
  names: readonly string[];
  /** Record a key on first contact (TOFU). Default true. */
  acceptNew: boolean;
  /** Replace a known key that no longer matches (the deliberate `--accept-new-host-key H`). */
  acceptChanged: boolean;
}

export type HostKeyDecision =
  | { verdict: 'known'; fingerprint: string }
  | { verdict: 'recorded'; keyType: string; fingerprint: string }
  | { verdict: 'replaced'; keyType: string; fingerprint: string; oldFingerprints: string[] }
  | { verdict: 'refused'; error: RemoteError };

/** Decide on the key a server presented (the raw SSH wire-format blob), and update the file
 * when the policy says so. Never throws for a refusal: the error is in the decision. */
export function checkHostKey(check: HostKeyCheck, rawKey: Buffer): HostKeyDecision {
  const { knownHosts, host, names } = check;
  const name = names[0]!;
  const fingerprint = fingerprintSha256(rawKey);
  const parsed = utils.parseKey(rawKey);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    const why = parsed instanceof Error ? parsed.message : 'several keys in one blob';
    return refuse(check, `host ${host} (${name}) presented a host key labsmith cannot parse (${why}); refused before authentication`);
  }
  const keyType = parsed.type;
  const presented = parsed.getPublicSSH();

  if (knownHosts.isRevoked(names, presented)) {
    return refuse(check, `host key ${keyType} ${fingerprint} of ${host} (${name}) is marked @revoked in ${knownHosts.path}; refused before authentication`);
  }
  const known = knownHosts.find(names);
  if (known.some((e) => e.key.equals(presented))) return { verdict: 'known', fingerprint };

  if (known.length === 0) {
    if (!check.acceptNew) {
      return refuse(
        check,
        `host key of ${host} (${name}) is not known: the server presents ${keyType} ${fingerprint}, and ${knownHosts.path} has no entry for it ` +
          `(recording new host keys is turned off). Check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-/, '').replace(/-.*/, '')}_key.pub) ` +
          `and accept it deliberately with --accept-new-host-key ${host}`,
      );
    }
    knownHosts.append(names, keyType, presented);
    return { verdict: 'recorded', keyType, fingerprint };
  }

  const oldFingerprints = known.map((e) => `${e.keyType} ${fingerprintSha256(e.key)}`);
  if (check.acceptChanged) {
    knownHosts.replace(known.map((e) => e.line), names, keyType, presented);
    return { verdict: 'replaced', keyType, fingerprint, oldFingerprints };
  }
  const lines = known.map((e) => e.line).join(', ');
  return refuse(
    check,
    `HOST KEY CHANGED for ${host} (${name}): ${knownHosts.path} line ${lines} has ${oldFingerprints.join(', ')}, ` +
      `but the server now presents ${keyType} ${fingerprint}. Refused before authentication. ` +
      `The host may have been reinstalled, or someone may be in the middle. If you expected the change, accept the new key deliberately: ` +
      `re-run with --accept-new-host-key ${host}, or delete line ${lines} of ${knownHosts.path} ` +
      `(ssh-keygen -R '${name}' -f ${knownHosts.path}) and run again to record it`,
  );
}

function refuse(check: HostKeyCheck, message: string): HostKeyDecision {
  return { verdict: 'refused', error: new RemoteError('hostkey', check.host, message) };
}
