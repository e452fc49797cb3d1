// verify on the emulated lab (kubernetes-101 and a 30-node lab, the largest a stock machine
// boots): the first run (probe pods
// made, listeners started) and a second one (pods reused), with connections, remote commands
// and probes. Needs root and the packages of scripts/setup.sh.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyLab } from '../src/apply/apply.js';
import { verifyLab } from '../src/verify/run.js';
import { benchCases, withEmulatedLab } from './emulated-case.js';

export interface VerifyRow {
  lab: string;
  hosts: number;
  pods: number;
  checks: number;
  probes: number;
  /** First verify: probe pods made and listeners started. */
  firstS: number;
  /** Second verify: pods reused. */
  againS: number;
  connections: number;
  commands: number;
  ok: boolean;
}


export async function benchVerify(sizes: number[] = [30]): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const [label, text] of await benchCases(sizes)) {
    rows.push(
      await withEmulatedLab('verify', label, text, async (lab, env) => {
        const applied = await applyLab(lab, { emulated: true, dryRun: false });
        if (applied.totals.failed) throw new Error(`apply failed on ${applied.hosts.filter((h) => h.status === 'failed').map((h) => h.host).join(', ')}`);
        const timed = async () => {
          const t0 = performance.now();
          const r = await verifyLab(lab, { emulated: true, env });
          return { s: (performance.now() - t0) / 1000, r };
        };
        const first = await timed();
        const again = await timed();
        return {
          lab: label,
          hosts: again.r.hosts.length,
          pods: lab.pods.length,
          checks: again.r.totals.checks,
          probes: again.r.checks.filter((c) => c.kind === 'pod' || c.kind === 'reach' || c.kind === 'service' || c.kind === 'nodeport').length,
          firstS: round(first.s),
          againS: round(again.s),
          connections: again.r.totals.connections,
          commands: again.r.totals.commands,
          ok: first.r.ok && again.r.ok,
        };
      }),
    );
  }
  return rows;
}

const round = (x: number) => Math.round(x * 100) / 100;

// `node dist/bench/verify.js` runs it alone.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log('verify on the emulated lab: first run (pods made) and again (pods reused)');
  console.table(await benchVerify());
}
