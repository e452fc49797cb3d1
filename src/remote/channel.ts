// Channels on an open connection: opened with a short retry when sshd refuses one at
// MaxSessions, and one command run per channel with its timeout, output and exit status.
import type { ClientChannel } from 'ssh2';
import { RemoteError } from './errors.js';
import { shellQuote } from './quote.js';
import { stopChannel, type SshClient } from './ssh-client.js';
import type { ExecOptions, ExecResult, RemoteCounters } from './types.js';

const OPEN_RETRIES = 5;

export interface ChannelContext {
  host: string;
  /** Why the connection is gone, once it is. */
  lost(): RemoteError | undefined;
  counters: RemoteCounters;
  commandTimeoutMs: number;
}

export function summarizeCommand(argv: readonly string[]): string {
  const s = shellQuote(argv);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Open a channel, retrying briefly when the server refuses it: sshd frees a session slot a
 * little after the channel's close reaches us, so a burst can hit MaxSessions anyway.
 * `wire` runs synchronously in ssh2's callback: ssh2 may deliver a command's output, exit
 * status and close in the same tick as the channel, before any promise continuation runs. */
export async function openWithRetry<T>(ctx: ChannelContext, what: string, open: (cb: (err: Error | undefined, value: T) => void) => void, wire?: (value: T) => void): Promise<T> {
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
      if (!refused || ctx.lost() || attempt >= OPEN_RETRIES) {
        throw new RemoteError(ctx.lost() ? 'connect' : 'command', ctx.host, `cannot start ${what}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
    }
  }
}

/** Runs one command on a channel; `release` gives the channel slot back once the channel is
 * really closed (or the connection is gone), not merely when we stop waiting for it. */
export function runChannel(ctx: ChannelContext, client: SshClient, command: string, argv: readonly string[], options: ExecOptions, release: () => void): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? ctx.commandTimeoutMs;
  const host = ctx.host;
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
      ctx.counters.commands++;
      stream = ch;
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null | undefined;
      let signal: string | undefined;
      ch.on('data', (d: Buffer) => {
        stdout.push(d);
        ctx.counters.bytesReceived += d.length;
      });
      ch.stderr.on('data', (d: Buffer) => {
        stderr.push(d);
        ctx.counters.bytesReceived += d.length;
      });
      ch.on('exit', (c: number | null, sig?: string) => {
        code = c;
        if (sig) signal = sig;
      });
      ch.on('close', () => {
        release();
        if (code === undefined) {
          finish(() => reject(ctx.lost() ?? new RemoteError('command', host, `${what}: the server closed the channel without an exit status`)));
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
        ctx.counters.bytesSent += buf.length;
        ch.end(buf);
      } else {
        ch.end();
      }
    };
    openWithRetry<ClientChannel>(ctx, what, (cb) => client.exec(command, cb), wire).catch((err: RemoteError) => {
      release();
      finish(() => reject(err));
    });
  });
}
