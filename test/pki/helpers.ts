// Shared by the PKI tests: an example lab copied into a scratch directory (its PKI is made
// beside it, never in lab/), the files of its pki directory, and openssl.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLab } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { exampleLab } from '../helpers/paths.js';
import { runTool, type ToolResult } from '../helpers/tools.js';

export interface ScratchLab {
  dir: string;
  file: string;
  lab: Lab;
  /** Rewrites the lab file (one exact piece of text) and reads it again. */
  edit(from: string, to: string): Promise<Lab>;
}

export async function scratchLab(t: { teardown(fn: () => Promise<void>): void }, example: string): Promise<ScratchLab> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-pki-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, `${example}.lab.yaml`);
  await writeFile(file, await readFile(exampleLab(example), 'utf8'));
  const s: ScratchLab = {
    dir,
    file,
    lab: (await readLab(file)).lab,
    async edit(from, to) {
      const text = await readFile(file, 'utf8');
      if (!text.includes(from)) throw new Error(`test fixture: ${from} not in ${file}`);
      await writeFile(file, text.replace(from, to));
      s.lab = (await readLab(file)).lab;
      return s.lab;
    },
  };
  return s;
}

/** Every file of a pki directory, by name. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).sort()) out.set(f, await readFile(path.join(dir, f), 'utf8'));
  return out;
}

/** Names of the files whose content differs between two snapshots, or that one lacks. */
export function changedFiles(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort();
}

export function openssl(args: string[]): ToolResult {
  return runTool('openssl', args, 'openssl');
}
