// Emulate up and down of kubernetes-101 and of generated labs of 20 and 50 nodes: time, and
// memory per host (RSS of each host's processes, from /proc). Each lab is renamed bench-*
// and uses a temporary state base, so it never meets a developer's own lab.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulateDown } from '../src/emulate/down.js';
import { preflight } from '../src/emulate/preflight.js';
import { emulateStatus } from '../src/emulate/status.js';
import { emulateUp } from '../src/emulate/up.js';
import { readLabText } from '../src/lab/read.js';
import { generateLabYaml } from './gen-lab.js';

export interface Row {
  lab: string;
  hosts: number;
  /** First up: lab key and host keys generated, /etc snapshot taken. */
  coldUpS: number;
  /** Up again after down (keys exist). */
  upS: number;
  downS: number;
  /** RSS of a node host's processes (unshare, init, sleep, sshd), mean over nodes. */
  nodeHostMiB: number;
  /** The router host (adds zebra and staticd). */
  routerHostMiB: number;
  /** Every host together. */
  totalMiB: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function benchEmulate(): Promise<Row[]> {
  const tools = preflight();
  const k101 = await readFile(path.join(ROOT, 'lab', 'kubernetes-101.lab.yaml'), 'utf8');
  const cases: [string, string][] = [
    ['kubernetes-101', k101],
    ['gen-20', generateLabYaml(20)],
    ['gen-50', generateLabYaml(50)],
  ];
  const rows: Row[] = [];
  for (const [label, text] of cases) {
    const base = await mkdtemp(path.join(tmpdir(), 'labsmith-bench-'));
    const env = { ...process.env, LABSMITH_STATE_DIR: base };
    const name = `bench-${label}`;
    const { lab } = readLabText(path.join(base, `${name}.lab.yaml`), text.replace(/^name: .*$/m, `name: ${name}`));
    try {
      const cold = await emulateUp(lab, { env, tools });
      const down1 = await emulateDown(name, { env, ip: tools.ip });
      const warm = await emulateUp(lab, { env, tools });
      const status = await emulateStatus(name, env);
      if (status.status !== 'up') throw new Error(`${name} is ${status.status} after up`);
      const down2 = await emulateDown(name, { env, ip: tools.ip });
      const nodes = status.hosts.filter((h) => h.kind === 'node');
      const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
      rows.push({
        lab: label,
        hosts: status.hosts.length,
        coldUpS: secs(cold.ms),
        upS: secs(warm.ms),
        downS: secs(Math.max(down1.ms, down2.ms)),
        nodeHostMiB: mib(nodes.reduce((a, h) => a + h.rssKiB, 0) / Math.max(1, nodes.length)),
        routerHostMiB: mib(status.hosts.find((h) => h.kind === 'router')?.rssKiB ?? 0),
        totalMiB: mib(status.hosts.reduce((a, h) => a + h.rssKiB, 0)),
      });
    } finally {
      await emulateDown(name, { env, ip: tools.ip }).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    }
  }
  return rows;
}

const secs = (ms: number) => Math.round(ms / 10) / 100;
