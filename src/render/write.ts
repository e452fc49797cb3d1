// Writing a render to a local directory: DIR/<host>/<absolute path on that host>, with each
// file's mode (ownership is the apply phase's business; a local copy keeps the caller's).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
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
  const written: WrittenFile[] = [];
  for (const h of renders) {
    for (const f of h.files) {
      const local = localPath(dir, h.host, f.path);
      await mkdir(path.dirname(local), { recursive: true });
      // An existing file keeps its mode through writeFile: tighten it first, so a key is
      // never readable by others, not even for a moment.
      await chmod(local, f.mode).catch(() => {});
      await writeFile(local, f.content, { mode: f.mode });
      await chmod(local, f.mode);
      written.push({ host: h.host, path: f.path, local, mode: f.mode, bytes: Buffer.byteLength(f.content), sha256: sha256(f.content) });
    }
  }
  return written;
}
