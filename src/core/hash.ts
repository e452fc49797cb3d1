import { createHash } from 'node:crypto';

/** Hex sha256, the checksum apply compares with the host's `sha256sum`. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
