// Cold and no-op apply on the emulated lab (kubernetes-101 and a 30-node lab: the largest a
// stock machine boots, see src/emulate/limits.ts), with the
// connections, remote commands and bytes they cost; and, for scale, what a bare
// `ssh host true` to every host costs through the same proxy commands.
import { spawn } from 'node:child_process';
import { applyLab } from '../src/apply/apply.js';
import { emulatedTargets } from '../src/emulate/index.js';
import { benchCases, withEmulatedLab } from './emulated-case.js';

export interface ApplyRow {
  lab: string;
  hosts: number;
  coldS: number;
  coldConnections: number;
  coldCommands: number;
  coldKiBSent: number;
  noopS: number;
  noopConnections: number;
  noopCommands: number;
  noopBytesSent: number;
  /** OpenSSH `ssh host true` to every host, 10 at a time, through the proxy commands. */
  bareSshS: number;
}


export async function benchApply(): Promise<ApplyRow[]> {
  const rows: ApplyRow[] = [];
  for (const [label, text] of await benchCases([30])) {
    rows.push(
      await withEmulatedLab('apply', label, text, async (lab) => {
        const timed = async () => {
          const t0 = performance.now();
          const r = await applyLab(lab, { emulated: true, dryRun: false });
          if (r.totals.failed) throw new Error(`apply failed on ${r.hosts.filter((h) => h.status === 'failed').map((h) => `${h.host}: ${h.error?.message}`).join('; ')}`);
          return { s: (performance.now() - t0) / 1000, r };
        };
        const cold = await timed();
        const noop = await timed();
        if (noop.r.totals.changed) throw new Error('the second apply changed something');
        return {
          lab: label,
          hosts: cold.r.hosts.length,
          coldS: round(cold.s),
          coldConnections: cold.r.totals.connections,
          coldCommands: cold.r.totals.commands,
          coldKiBSent: round(cold.r.totals.bytesSent / 1024),
          noopS: round(noop.s),
          noopConnections: noop.r.totals.connections,
          noopCommands: noop.r.totals.commands,
          noopBytesSent: noop.r.totals.bytesSent,
          bareSshS: round(await bareSsh(lab)),
        };
      }),
    );
  }
  return rows;
}

async function bareSsh(lab: Parameters<typeof emulatedTargets>[0]): Promise<number> {
  const targets = (await emulatedTargets(lab)).filter((t) => t.kind !== 'outside');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const one = (t: (typeof targets)[number]) =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('ssh', ['-F', '/dev/null', '-i', t.privateKeyPath, '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${t.knownHostsPath}`, '-o', `ProxyCommand=${t.proxyCommand.map(q).join(' ')}`, '-p', String(t.port), `root@${t.address}`, 'true'], { stdio: 'ignore' });
      c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${t.host} true exited ${code}`))));
    });
  const t0 = performance.now();
  const queue = [...targets];
  await Promise.all(Array.from({ length: 10 }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) await one(t);
  }));
  return (performance.now() - t0) / 1000;
}

const round = (x: number) => Math.round(x * 100) / 100;

