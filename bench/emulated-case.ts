// One emulated bench lab: renamed bench-<kind>-<label>, in a temporary state base (so it
// never meets a developer's own lab), up for the duration of `fn`, then down and removed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulateDown, emulateUp, preflight } from '../src/emulate/index.js';
import { readLabText } from '../src/lab/read.js';
import type { Lab } from '../src/lab/types.js';
import { generateLabYaml } from './gen-lab.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** kubernetes-101 and generated labs of the given sizes, as [label, lab text]. */
export async function benchCases(sizes: number[]): Promise<[string, string][]> {
  const k101 = await readFile(path.join(ROOT, 'lab', 'kubernetes-101.lab.yaml'), 'utf8');
  return [['kubernetes-101', k101], ...sizes.map((n): [string, string] => [`gen-${n}`, generateLabYaml(n)])];
}

export async function withEmulatedLab<T>(kind: string, label: string, text: string, fn: (lab: Lab, env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const tools = preflight();
  const base = await mkdtemp(path.join(tmpdir(), 'labsmith-bench-'));
  const env = { ...process.env, LABSMITH_STATE_DIR: base };
  // apply finds emulated targets through process.env.
  const saved = process.env.LABSMITH_STATE_DIR;
  process.env.LABSMITH_STATE_DIR = base;
  const name = `bench-${kind}-${label}`;
  const { lab } = readLabText(path.join(base, `${name}.lab.yaml`), text.replace(/^name: .*$/m, `name: ${name}`));
  try {
    await emulateUp(lab, { env, tools });
    return await fn(lab, env);
  } finally {
    await emulateDown(name, { env, ip: tools.ip }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    if (saved === undefined) delete process.env.LABSMITH_STATE_DIR;
    else process.env.LABSMITH_STATE_DIR = saved;
  }
}
