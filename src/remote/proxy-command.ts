// A ProxyCommand as an argument list: spawned without a shell, its stdin/stdout become the
// byte stream ssh2 speaks SSH over (the `sock` option). This is how the emulated lab is
// reached (`ip netns exec NS socat STDIO TCP:addr:22`). The child is killed when the stream
// closes; its stderr is kept (the tail) for error messages.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

const STDERR_KEEP = 2048;

export class ProcessStream extends Duplex {
  readonly child: ChildProcessWithoutNullStreams;
  private stderrTail = '';
  private exitDescription: string | undefined;

  constructor(readonly argv: readonly string[]) {
    super({ allowHalfOpen: false });
    const [file, ...args] = argv;
    if (!file) throw new TypeError('proxyCommand: empty argument list');
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const { child } = this;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stdout.on('end', () => this.push(null));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    // EPIPE when the proxy has exited: the exit is reported through 'end'/'close' instead.
    child.stdin.on('error', () => {});
    child.on('error', (err) => this.destroy(new Error(`proxy command ${argv[0]} failed to start: ${err.message}`)));
    child.on('exit', (code, signal) => {
      this.exitDescription = signal ? `killed by ${signal}` : `exited with status ${code}`;
    });
  }

  /** `exited with status 1: <stderr tail>`, or undefined while it runs. */
  describeExit(): string | undefined {
    if (!this.exitDescription) return undefined;
    const err = this.stderrTail.trim();
    return err ? `${this.exitDescription}: ${err}` : this.exitDescription;
  }

  /** Resolves once the program has exited and its output is drained, or after `ms`. */
  settled(ms: number): Promise<void> {
    if (this.exitDescription !== undefined && this.child.stderr.readableEnded) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.child.stdin.destroyed || !this.child.stdin.writable) {
      cb();
      return;
    }
    this.child.stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    cb(err);
  }
}
