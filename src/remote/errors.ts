// The one error type the transport throws. `kind` says which stage failed, so a summary can
// group hosts ("2 unreachable, 1 host key changed") and the CLI can pick wording and exit code.

export type RemoteErrorKind = 'connect' | 'auth' | 'hostkey' | 'timeout' | 'command';

export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    /** The host's name (the lab's node name, or the jump host's name for a jump failure). */
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemoteError';
  }

  override toString(): string {
    return `${this.host}: ${this.kind}: ${this.message}`;
  }

  toJSON(): { kind: RemoteErrorKind; host: string; message: string } {
    return { kind: this.kind, host: this.host, message: this.message };
  }
}

export function isRemoteError(err: unknown): err is RemoteError {
  return err instanceof RemoteError;
}

/** Wrap anything thrown while working on a host; a RemoteError passes through unchanged. */
export function toRemoteError(err: unknown, host: string, kind: RemoteErrorKind = 'command'): RemoteError {
  if (err instanceof RemoteError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RemoteError(kind, host, message, { cause: err });
}
