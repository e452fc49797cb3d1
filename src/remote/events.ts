// What the transport reports while it works, as a discriminated union with one formatter, so
// the terminal view and --json come from the same events.

export type RemoteEvent =
  | {
      kind: 'hostkey-recorded';
      host: string;
      /** known_hosts name, such as `10.20.30.61` or `[127.0.0.1]:2222`. */
      hostKeyName: string;
      keyType: string;
      fingerprint: string;
      knownHostsPath: string;
    }
  | {
      kind: 'hostkey-replaced';
      host: string;
      hostKeyName: string;
      keyType: string;
      fingerprint: string;
      oldFingerprints: string[];
      knownHostsPath: string;
    }
  | { kind: 'connected'; host: string; via: 'direct' | 'proxy-command' | 'proxy-jump'; auth: string }
  | { kind: 'auth-skipped'; host: string; source: string; reason: string }
  | { kind: 'closed'; host: string };

export type RemoteEventListener = (event: RemoteEvent) => void;

export function formatRemoteEvent(e: RemoteEvent): string {
  switch (e.kind) {
    case 'hostkey-recorded':
      return `first contact with ${e.host} (${e.hostKeyName}), recorded ${e.keyType} key ${e.fingerprint} in ${e.knownHostsPath}`;
    case 'hostkey-replaced':
      return `${e.host} (${e.hostKeyName}): replaced host key ${e.oldFingerprints.join(', ')} by ${e.keyType} key ${e.fingerprint} in ${e.knownHostsPath}, as asked`;
    case 'connected':
      return `${e.host}: connected (${e.via}, ${e.auth})`;
    case 'auth-skipped':
      return `${e.host}: skipped ${e.source}: ${e.reason}`;
    case 'closed':
      return `${e.host}: connection closed`;
  }
}
