// Writing the manifests to a local directory, and finding files an earlier run left there
// that this lab no longer has (a renamed workload), so `kubectl create -f DIR` is not fed them.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../core/hash.js';
import type { ManifestFile } from './types.js';

/** The names labsmith gives manifest files (index.ts). */
const OURS = /^[12]-(service|deployment|replicationcontroller|pod)-[a-z0-9-]+\.(json|yaml)$/;

export interface WrittenManifest {
  file: string;
  local: string;
  kind: string;
  name: string;
  apiVersion: string;
  bytes: number;
  sha256: string;
}

export function writeManifests(files: ManifestFile[], dir: string): { written: WrittenManifest[]; stale: string[] } {
  mkdirSync(dir, { recursive: true });
  const written = files.map((f) => {
    const local = path.join(dir, f.file);
    writeFileSync(local, f.content);
    return { file: f.file, local, kind: f.kind, name: f.name, apiVersion: f.apiVersion, bytes: Buffer.byteLength(f.content), sha256: sha256(f.content) };
  });
  const now = new Set(files.map((f) => f.file));
  const stale = readdirSync(dir).filter((n) => OURS.test(n) && !now.has(n)).sort().map((n) => path.join(dir, n));
  return { written, stale };
}
