// Which credentials to offer, in order: the lab's key (explicit identityFile / privateKey),
// then ssh-agent, then ~/.ssh/config's IdentityFile (or OpenSSH's default key files when the
// config names none). Keys are loaded and decrypted locally before connecting, so a
// passphrase-protected key or a missing agent is reported by name, not as "auth failed".

import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { AuthHandlerMiddleware, AuthenticationType, NextAuthHandler, ParsedKey } from 'ssh2';

const { utils } = ssh2;

/** Environment variable holding the passphrase for encrypted keys. Never logged. */
export const PASSPHRASE_ENV = 'LABSMITH_SSH_PASSPHRASE';

export type AuthCandidate =
  | { kind: 'key'; source: string; key: ParsedKey }
  | { kind: 'agent'; source: string; socket: string };

export interface AuthSkip {
  source: string;
  reason: string;
}

export interface AuthPlan {
  candidates: AuthCandidate[];
  skipped: AuthSkip[];
}

export interface AuthInputs {
  explicitKeyPath?: string;
  explicitKeyData?: Buffer;
  configIdentityFiles: readonly string[];
  /** Tried only when the config names no IdentityFile (OpenSSH's behaviour). */
  defaultIdentityFiles: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

export function defaultIdentityFiles(home: string): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f));
}

type KeyLoad = { key: ParsedKey } | { reason: string };

export function loadPrivateKey(data: Buffer, where: string, env: AuthInputs['env']): KeyLoad {
  let parsed = utils.parseKey(data);
  const passphrase = env[PASSPHRASE_ENV];
  if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
    if (passphrase === undefined || passphrase === '') {
      return {
        reason:
          `passphrase-protected and no passphrase given: set ${PASSPHRASE_ENV}, ` +
          `or load it into ssh-agent (ssh-add ${where}) and make sure SSH_AUTH_SOCK is set`,
      };
    }
    parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) return { reason: `passphrase-protected, and ${PASSPHRASE_ENV} does not decrypt it` };
  }
  if (parsed instanceof Error) return { reason: `not a private key labsmith can read (${parsed.message})` };
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) return { reason: 'no key in it' };
  if (!key.isPrivateKey()) return { reason: 'a public key, not a private key' };
  return { key };
}

function loadKeyFile(file: string, env: AuthInputs['env']): KeyLoad {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'not found' : `unreadable (${code ?? String(err)})` };
  }
  return loadPrivateKey(data, file, env);
}

export function planAuth(inputs: AuthInputs): AuthPlan {
  const candidates: AuthCandidate[] = [];
  const skipped: AuthSkip[] = [];
  const seen = new Set<string>();
  const addKeyFile = (file: string, label: string, quietIfMissing: boolean) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = `${label} ${file}`;
    const r = loadKeyFile(file, inputs.env);
    if ('key' in r) candidates.push({ kind: 'key', source, key: r.key });
    else if (!(quietIfMissing && r.reason === 'not found')) skipped.push({ source, reason: r.reason });
  };

  if (inputs.explicitKeyData) {
    const r = loadPrivateKey(inputs.explicitKeyData, 'the key', inputs.env);
    if ('key' in r) candidates.push({ kind: 'key', source: 'the given private key', key: r.key });
    else skipped.push({ source: 'the given private key', reason: r.reason });
  }
  if (inputs.explicitKeyPath) addKeyFile(inputs.explicitKeyPath, 'identityFile', false);

  const sock = inputs.env['SSH_AUTH_SOCK'];
  if (!sock) {
    skipped.push({ source: 'ssh-agent', reason: 'SSH_AUTH_SOCK is not set' });
  } else {
    let ok = false;
    try {
      ok = fs.statSync(sock).isSocket();
    } catch {
      /* reported below */
    }
    if (ok) candidates.push({ kind: 'agent', source: `ssh-agent (${sock})`, socket: sock });
    else skipped.push({ source: 'ssh-agent', reason: `SSH_AUTH_SOCK=${sock} is not a socket (agent not running?)` });
  }

  if (inputs.configIdentityFiles.length) {
    for (const f of inputs.configIdentityFiles) addKeyFile(f, '~/.ssh/config IdentityFile', false);
  } else {
    const before = candidates.length + skipped.length;
    for (const f of inputs.defaultIdentityFiles) addKeyFile(f, 'default key', true);
    if (candidates.length + skipped.length === before && inputs.defaultIdentityFiles.length) {
      skipped.push({
        source: 'default keys',
        reason: `no IdentityFile in ~/.ssh/config and none of ${inputs.defaultIdentityFiles.join(', ')} exists`,
      });
    }
  }
  return { candidates, skipped };
}

export function describeSkips(skipped: readonly AuthSkip[]): string {
  return skipped.map((s) => `${s.source}: ${s.reason}`).join('; ');
}

/** An ssh2 authHandler offering the plan's candidates in order, recording what it offered. */
export function makeAuthHandler(
  plan: AuthPlan,
  username: string,
  onAttempt: (candidate: AuthCandidate) => void,
): AuthHandlerMiddleware {
  let next = 0;
  return (authsLeft: AuthenticationType[] | null, _partial: boolean, done: NextAuthHandler) => {
    for (;;) {
      const c = plan.candidates[next++];
      if (!c) {
        (done as unknown as (m: false) => void)(false);
        return;
      }
      // authsLeft is null before the server has told us what it accepts.
      if (authsLeft && !authsLeft.includes('publickey')) continue;
      onAttempt(c);
      if (c.kind === 'key') done({ type: 'publickey', username, key: c.key });
      else done({ type: 'agent', username, agent: c.socket });
      return;
    }
  };
}
