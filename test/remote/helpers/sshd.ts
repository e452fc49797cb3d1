// A real OpenSSH sshd for the transport tests, on 127.0.0.1 and a free high port, with its own
// host key, authorized_keys, log and pid file in a temp directory. Missing sshd is a failure,
// never a skip: these tests are the proof that the transport works against the real thing.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface Keypair {
  path: string;
  pubLine: string;
  /** Public key blob (SSH wire format). */
  blob: Buffer;
}

export async function makeKey(dir: string, name: string, passphrase = ''): Promise<Keypair> {
  const p = path.join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', p]);
  const pubLine = fs.readFileSync(`${p}.pub`, 'utf8').trim();
  return { path: p, pubLine, blob: Buffer.from(pubLine.split(' ')[1]!, 'base64') };
}

/** `SHA256:...` as ssh-keygen prints it, to check our fingerprints against OpenSSH's. */
export async function sshKeygenFingerprint(pubPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]);
  return stdout.split(' ')[1]!;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `labsmith-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Remove every directory tempDir() made in this process (call from test.after.always). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface Sshd {
  port: number;
  dir: string;
  pid: number;
  hostKey: Keypair;
  /** An unencrypted key listed in authorized_keys. */
  clientKey: Keypair;
  logPath: string;
  log(): string;
  authorize(pubLine: string): void;
  stop(): Promise<void>;
}

function waitForBanner(port: number, child: ChildProcess, logPath: string, deadlineMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        let log = '';
        try {
          log = fs.readFileSync(logPath, 'utf8');
        } catch {
          /* none */
        }
        reject(new Error(`sshd exited with status ${child.exitCode} before listening:\n${log}`));
        return;
      }
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', (d) => {
        sock.destroy();
        if (d.toString().startsWith('SSH-')) resolve();
        else reject(new Error(`unexpected banner on ${port}: ${d.toString()}`));
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() - started > deadlineMs) reject(new Error(`sshd did not listen on ${port} within ${deadlineMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

export async function startSshd(extraConfig = ''): Promise<Sshd> {
  if (!fs.existsSync(SSHD)) {
    throw new Error(`${SSHD} not found: the transport tests need a real OpenSSH server (apt-get install openssh-server); they fail rather than skip`);
  }
  if (process.getuid?.() !== 0) throw new Error('the transport tests start sshd and must run as root');
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
  const dir = tempDir('sshd');
  const [hostKey, clientKey] = await Promise.all([makeKey(dir, 'host_ed25519'), makeKey(dir, 'client_ed25519')]);
  const port = await freePort();
  const logPath = path.join(dir, 'sshd.log');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeys, `${clientKey.pubLine}\n`, { mode: 0o600 });
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey.path}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
      'MaxSessions 10',
      // Tests in a file connect concurrently; the default 10:30:100 drops pre-auth connections.
      'MaxStartups 100',
      'AllowTcpForwarding yes',
      'Subsystem sftp internal-sftp',
      extraConfig,
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-f', config, '-E', logPath], { stdio: 'ignore' });
  await waitForBanner(port, child, logPath, 5_000);
  return {
    port,
    dir,
    pid: child.pid!,
    hostKey,
    clientKey,
    logPath,
    log: () => fs.readFileSync(logPath, 'utf8'),
    authorize: (pubLine) => fs.appendFileSync(authorizedKeys, `${pubLine}\n`),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
      }),
  };
}

/** Options that keep a RemoteHost away from the real ~/.ssh, agent and environment. */
export function isolated(home: string) {
  return { env: {}, sshConfigPath: null, homeDir: home, readyTimeoutMs: 5_000 };
}
