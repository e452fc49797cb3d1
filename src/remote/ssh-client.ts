// ssh2 clients and channels: made, ended and stopped the same way everywhere.
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';

const { Client } = ssh2;
export type SshClient = InstanceType<typeof Client>;

const closedClients = new WeakSet<SshClient>();

export function newClient(): SshClient {
  const c = new Client();
  c.once('close', () => closedClients.add(c));
  return c;
}

/** Ends a client politely; destroys it when the server does not close within 2 s. */
export function endClient(c: SshClient): Promise<void> {
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

/** Stops a channel's command: KILL where the server delivers signals, then close. */
export function stopChannel(ch: ClientChannel): void {
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
