// Emulate up and down of kubernetes-101 and of generated labs of 20 and 50 nodes: time, and
// memory per host (RSS of each host's processes, from /proc). Each lab is renamed bench-*
// and uses a temporary state base, so it never meets a developer's own lab.
import { mkdtemp, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulateDown } from '../src/emulate/down.js';
import { labPaths } from '../src/emulate/paths.js';
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
  nodeHostRssMiB: number;
  /** PSS of the same (shared libraries split among their users): what a node host costs. */
  nodeHostPssMiB: number;
  /** The router host (adds zebra and staticd), RSS and PSS. */
  routerHostRssMiB: number;
  routerHostPssMiB: number;
  /** Every host together, PSS. */
  totalPssMiB: number;
  /** Memory of the runtime tmpfs (the /etc snapshot and every host's private files). */
  runTmpfsMiB: number;
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
      const fsStat = await statfs(labPaths(name, env).run);
      const runBytes = (fsStat.blocks - fsStat.bfree) * fsStat.bsize;
      const down2 = await emulateDown(name, { env, ip: tools.ip });
      const nodes = status.hosts.filter((h) => h.kind === 'node');
      const router = status.hosts.find((h) => h.kind === 'router');
      const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
      rows.push({
        lab: label,
        hosts: status.hosts.length,
        coldUpS: secs(cold.ms),
        upS: secs(warm.ms),
        downS: secs(Math.max(down1.ms, down2.ms)),
        nodeHostRssMiB: mib(nodes.reduce((a, h) => a + h.rssKiB, 0) / Math.max(1, nodes.length)),
        nodeHostPssMiB: mib(nodes.reduce((a, h) => a + h.pssKiB, 0) / Math.max(1, nodes.length)),
        routerHostRssMiB: mib(router?.rssKiB ?? 0),
        routerHostPssMiB: mib(router?.pssKiB ?? 0),
        totalPssMiB: mib(status.hosts.reduce((a, h) => a + h.pssKiB, 0)),
        runTmpfsMiB: mib(runBytes / 1024),
      });
    } finally {
      await emulateDown(name, { env, ip: tools.ip }).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    }
  }
  return rows;
}

const secs = (ms: number) => Math.round(ms / 10) / 100;
