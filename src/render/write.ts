// Writing a render to a local directory: DIR/<host>/<absolute path on that host>, with each
// file's mode (ownership is the apply phase's business; a local copy keeps the caller's).
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../core/hash.js';
import type { HostRender } from './types.js';

export interface WrittenFile {
  host: string;
  /** Path on the host. */
  path: string;
  /** Where it was written locally. */
  local: string;
  mode: number;
  bytes: number;
  sha256: string;
}

export function localPath(dir: string, host: string, hostPath: string): string {
  return path.join(dir, host, ...hostPath.split('/').filter(Boolean));
}

export async function writeRender(renders: HostRender[], dir: string): Promise<WrittenFile[]> {
  // Synchronous on purpose: thousands of small files written through the async pool contend
  // for its threads (a 1,000-node lab took 7 s, mostly system time); one thread writes them in
  // well under a second. Directories are made once each.
  const made = new Set<string>();
  const written: WrittenFile[] = [];
  for (const h of renders) {
    for (const f of h.files) {
      const local = localPath(dir, h.host, f.path);
      const parent = path.dirname(local);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      const fd = openSync(local, 'w', f.mode);
      try {
        // The mode given to open applies only to a new file: an existing one is tightened
        // before anything is written, so a key is never readable by others, not even briefly.
        fchmodSync(fd, f.mode);
        writeSync(fd, f.content);
      } finally {
        closeSync(fd);
      }
      written.push({ host: h.host, path: f.path, local, mode: f.mode, bytes: Buffer.byteLength(f.content), sha256: sha256(f.content) });
    }
  }
  return written;
}
