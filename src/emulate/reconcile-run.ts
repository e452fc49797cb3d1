// Carries a reconcile out on a running lab: hosts that are gone end, new bridges and veths
// appear, kept hosts are re-addressed in place (their processes and files stay), new hosts
// are prepared and started. The state says 'starting' until it is done, so an up that fails
// or is killed halfway leaves a lab the next up rebuilds from nothing.
import type { Lab } from '../lab/types.js';
import { hostsFile } from './files.js';
import { hostStateOf, startHosts, stopHosts } from './host-life.js';
import { writeKnownHosts } from './keys.js';
import type { LabPaths } from './paths.js';
import { markOpaque, prepareContext, prepareHost } from './prepare.js';
import { cgroupMountSpecs } from './cgroups.js';
import type { Tools } from './preflight.js';
import { checkHostLimits } from './limits.js';
import { planReconcile } from './reconcile.js';
import { mapLimit, must } from './run.js';
import { StateWriter, type EmuState, type HostState } from './state.js';
import { topologyOf } from './topology.js';

export async function reconcile(
  lab: Lab,
  state: EmuState,
  paths: LabPaths,
  tools: Tools,
  opts: { concurrency: number; log: (l: string) => void; env?: NodeJS.ProcessEnv },
): Promise<{ changes: string[]; timings: Record<string, number> }> {
  const t0 = performance.now();
  const next = topologyOf(lab, state);
  const plan = planReconcile(state, next);
  if (!plan.summary.length) return { changes: [], timings: {} };
  for (const line of plan.summary) opts.log(line);
  checkHostLimits(plan.addHosts.length - plan.removeHosts.length);

  const writer = new StateWriter(paths.state, state);
  state.phase = 'starting';
  await writer.save();
  const removed = new Set(plan.removeHosts.map((h) => h.name));
  await stopHosts(tools, state, state.hosts.filter((h) => removed.has(h.name)));

  // The state takes the new shape before anything new is made, so down finds it all.
  const kept = new Map(state.hosts.filter((h) => !removed.has(h.name)).map((h) => [h.name, h]));
  const added: HostState[] = plan.addHosts.map((h) => hostStateOf(paths, h));
  state.hosts = next.hosts.map((h) => added.find((a) => a.name === h.name) ?? { ...kept.get(h.name)!, ...h });
  state.bridges = next.bridges;
  state.uplink = next.uplink;
  await writer.save();

  const ctx = added.length ? await prepareContext(lab, paths, tools, added, opts.concurrency, cgroupMountSpecs(state.cgroups.hierarchies)) : undefined;
  if (added.length) await must([tools.ip, '-batch', '-'], { input: added.map((h) => `netns add ${h.netns}\n`).join('') });
  if (plan.fabric.length) await must([tools.ip, '-n', state.fabric, '-batch', '-'], { input: plan.fabric.join('\n') + '\n' });
  await Promise.all(
    plan.changed.map(async (c) => {
      if (c.inside.length) await must([tools.ip, '-n', c.host.netns, '-batch', '-'], { input: c.inside.join('\n') + '\n' });
      if (c.addressChanged) {
        const h = state.hosts.find((x) => x.name === c.host.name)!;
        await must([tools.nsenter, '-t', String(h.initPid), '-m', '--', 'sh', '-c', 'cat > /etc/hosts'], { input: hostsFile(h) });
      }
    }),
  );
  if (ctx) {
    await mapLimit(added, opts.concurrency, (h) => prepareHost(ctx, h, h.dir));
    await markOpaque(tools.setfattr, added.map((h) => h.dir));
    await startHosts(tools, state, added, opts.concurrency, () => writer.save(), {}, opts.log);
  }
  // Addresses moved between hosts: no host keeps a neighbour entry pointing at the old owner.
  await Promise.all(state.hosts.filter((h) => !added.includes(h)).map((h) => must([tools.ip, '-n', h.netns, 'neigh', 'flush', 'all'])));
  await writeKnownHosts(paths, state.hosts, lab.ssh.port);
  state.phase = 'up';
  state.readyAt = new Date().toISOString();
  await writer.save();
  return { changes: plan.summary, timings: { reconcile: Math.round(performance.now() - t0) } };
}
