// Emulate up and down of kubernetes-101 and of generated labs of 20 and 30 nodes (50 exceed
// the 128 inotify instances root may hold on a stock machine; see src/emulate/limits.ts): time
// (kubernetes-101's up also as a whole `labsmith emulate up` process), and memory per host as
// its cgroup is charged (systemd, journald, dbus, sshd; FRR on the router), then after apply
// has started docker on the minions and etcd on the masters. Each lab is renamed bench-* and
// uses a temporary state base, so it never meets a developer's own lab.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { emulateDown } from '../src/emulate/down.js';
import { labPaths } from '../src/emulate/paths.js';
import { preflight } from '../src/emulate/preflight.js';
import { emulateStatus, type HostStatus } from '../src/emulate/status.js';
import { emulateUp } from '../src/emulate/up.js';
import { readLabText } from '../src/lab/read.js';
import { generateLabYaml } from './gen-lab.js';

export interface Row {
  lab: string;
  hosts: number;
  /** First up: lab key and host keys generated, /etc snapshot taken (kubernetes-101: the
   * whole `labsmith emulate up` process, node's start included). */
  coldUpS: number;
  /** Up again after down (keys exist). */
  upS: number;
  downS: number;
  /** apply's first run: every file written, docker and etcd started. */
  applyS: number;
  /** A node host's cgroup after up (systemd, journald, dbus, sshd), mean over nodes. */
  nodeHostMiB: number;
  /** The router's (adds FRR). */
  routerHostMiB: number;
  /** A minion's cgroup once docker runs (mean), and a master's once etcd runs. */
  minionDockerMiB: number;
  masterEtcdMiB: number;
  /** Every host's cgroup together, after apply. */
  totalMiB: number;
  /** Memory of the runtime tmpfs (the /etc snapshot and every host's private files). */
  runTmpfsMiB: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

export async function benchEmulate(sizes = [20, 30]): Promise<Row[]> {
  const tools = preflight();
  const k101 = await readFile(path.join(ROOT, 'lab', 'kubernetes-101.lab.yaml'), 'utf8');
  const cases: [string, string][] = [['kubernetes-101', k101], ...sizes.map((n): [string, string] => [`gen-${n}`, generateLabYaml(n)])];
  const rows: Row[] = [];
  for (const [label, text] of cases) {
    const base = await mkdtemp(path.join(tmpdir(), 'labsmith-bench-'));
    const env = { ...process.env, LABSMITH_STATE_DIR: base };
    const name = `bench-${label}`;
    const file = path.join(base, `${name}.lab.yaml`);
    const renamed = text.replace(/^name: .*$/m, `name: ${name}`);
    await writeFile(file, renamed);
    const { lab } = readLabText(file, renamed);
    try {
      let coldMs: number;
      if (label === 'kubernetes-101') {
        const t0 = performance.now();
        await promisify(execFile)(process.execPath, [CLI, 'emulate', 'up', file], { env });
        coldMs = performance.now() - t0;
      } else {
        coldMs = (await emulateUp(lab, { env, tools })).ms;
      }
      const down1 = await emulateDown(name, { env, ip: tools.ip });
      const warm = await emulateUp(lab, { env, tools });
      const booted = await emulateStatus(name, env);
      if (booted.status !== 'up') throw new Error(`${name} is ${booted.status} after up`);
      const t1 = performance.now();
      await promisify(execFile)(process.execPath, [CLI, 'apply', file, '--emulated'], { env, maxBuffer: 64 << 20 }).catch((e: { stdout?: string }) => {
        // A lab whose Kubernetes units cannot start yet still measures docker and etcd.
        if (!/docker/.test(e.stdout ?? '')) throw e;
      });
      const applyMs = performance.now() - t1;
      const applied = await emulateStatus(name, env);
      const fsStat = await statfs(labPaths(name, env).run);
      const runBytes = (fsStat.blocks - fsStat.bfree) * fsStat.bsize;
      const down2 = await emulateDown(name, { env, ip: tools.ip });
      const nodeNames = new Set(lab.nodes.map((n) => n.name));
      const minions = new Set(lab.nodes.filter((n) => n.role === 'minion').map((n) => n.name));
      const mean = (hosts: HostStatus[]) => mib(hosts.reduce((a, h) => a + (h.cgroupKiB ?? 0), 0) / Math.max(1, hosts.length));
      rows.push({
        lab: label,
        hosts: booted.hosts.length,
        coldUpS: secs(coldMs),
        upS: secs(warm.ms),
        downS: secs(Math.max(down1.ms, down2.ms)),
        applyS: secs(applyMs),
        nodeHostMiB: mean(booted.hosts.filter((h) => nodeNames.has(h.name))),
        routerHostMiB: mean(booted.hosts.filter((h) => h.kind === 'router')),
        minionDockerMiB: mean(applied.hosts.filter((h) => minions.has(h.name))),
        masterEtcdMiB: mean(applied.hosts.filter((h) => nodeNames.has(h.name) && !minions.has(h.name))),
        totalMiB: mib(applied.hosts.reduce((a, h) => a + (h.cgroupKiB ?? 0), 0)),
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
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
