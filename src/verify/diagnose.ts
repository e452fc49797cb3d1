// From what the hosts said to checks with diagnoses (pure). Facts give the root-cause checks
// (forwarding, gateways, the MLS's table, docker0, probe pods); every probe that failed is
// then laid against the hops on its path, and a failure some failed hop explains is attributed
// to it (cause) instead of being reported as a problem of its own.
import { diagnosisContext, type DiagnoseInput, type Diagnosis } from './diagnose-context.js';
import { docker0Checks, podSetupChecks, proberChecks, sshChecks, switchTableChecks, underlayChecks } from './diagnose-facts.js';
import { natChecks, probeChecks } from './diagnose-probes.js';
import { serviceChecks } from './diagnose-services.js';
import type { Check } from './model.js';

export type { DiagnoseInput, Diagnosis, DiagnosisContext, ObservedHost } from './diagnose-context.js';

export function diagnose(input: DiagnoseInput): Diagnosis {
  const ctx = diagnosisContext(input);
  sshChecks(ctx);
  underlayChecks(ctx);
  switchTableChecks(ctx);
  docker0Checks(ctx);
  proberChecks(ctx);
  podSetupChecks(ctx);
  natChecks(ctx, probeChecks(ctx));
  serviceChecks(ctx);
  pointCausesAtRoots(ctx.checks, ctx.byId);
  const order = (c: Check) => c.layer * 10 + (['ssh', 'prober', 'forwarding', 'gateway', 'route', 'service-range', 'docker0', 'pods', 'nat'].includes(c.kind) ? 0 : 1);
  ctx.checks.sort((a, b) => order(a) - order(b));
  return { checks: ctx.checks, skipped: ctx.skipped };
}

/** A cause that has a cause of its own: point at the root. */
function pointCausesAtRoots(checks: Check[], byId: Map<string, Check>): void {
  for (const c of checks) {
    const seen = new Set<string>();
    while (c.cause && byId.get(c.cause)?.cause && !seen.has(c.cause)) {
      seen.add(c.cause);
      c.cause = byId.get(c.cause)!.cause;
    }
  }
}
