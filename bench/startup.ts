// Whole-process figures, as a user feels them: `labsmith --help`, `validate` of the classic
// lab, and `render` of a generated 1,000-node lab to disk, beside Node's own start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLabYaml } from './gen-lab.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli/main.js');

export interface StartupRow {
  what: string;
  /** Median wall time of the runs, ms. */
  ms: number;
  /** Against `node -e 0`. */
  ratio: number;
  runs: number;
}

function wall(argv: string[] | ((run: number) => string[]), runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const args = typeof argv === 'function' ? argv(i) : argv;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function benchStartup(runs = 7): StartupRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-bench-startup-'));
  try {
    // A legacy lab: a 1.x lab's render also checks its PKI (timed by the pki section).
    const big = path.join(dir, 'big.lab.yaml');
    writeFileSync(big, generateLabYaml(1000).replace('version: "1.11"', 'version: legacy').replace('proxyMode: iptables', 'proxyMode: userspace'));
    const node = wall(['-e', '0'], runs);
    const row = (what: string, ms: number, n = runs): StartupRow => ({ what, ms: Math.round(ms), ratio: Math.round((ms / node) * 100) / 100, runs: n });
    return [
      row('node -e 0', node),
      row('labsmith --help', wall([CLI, '--help'], runs)),
      row('labsmith validate kubernetes-101', wall([CLI, 'validate', path.join(ROOT, 'lab/kubernetes-101.lab.yaml')], runs)),
      // Each run into a directory of its own: deleting 10,000 files just before costs the next
      // run seconds of this disk's time.
      row('labsmith render 1,000 legacy nodes -o DIR (10,000 files)', wall((i) => [CLI, 'render', big, '-o', path.join(dir, `out${i}`)], 3), 3),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
