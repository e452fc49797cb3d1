// The lab's PKI for generated 1.x labs: a first run (every key generated, every certificate
// issued and written) and a second (everything read back, checked and kept).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLab } from '../src/lab/read.js';
import { ensurePki } from '../src/pki/index.js';
import { generateLabYaml } from './gen-lab.js';

export interface PkiRow {
  nodes: number;
  certificates: number;
  createMs: number;
  reuseMs: number;
}

export async function benchPki(sizes: number[]): Promise<PkiRow[]> {
  const rows: PkiRow[] = [];
  for (const nodes of sizes) {
    const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-bench-pki-'));
    try {
      const file = path.join(dir, `gen-${nodes}.lab.yaml`);
      await writeFile(file, generateLabYaml(nodes));
      const { lab } = await readLab(file);
      const t0 = performance.now();
      const first = await ensurePki(lab);
      const t1 = performance.now();
      await ensurePki(lab);
      const t2 = performance.now();
      rows.push({ nodes, certificates: first.entries.filter((e) => e.kind !== 'key pair').length, createMs: Math.round(t1 - t0), reuseMs: Math.round(t2 - t1) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
