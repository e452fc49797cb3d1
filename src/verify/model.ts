// What verify checks and reports: layers, checks, results. One source for the terminal
// view, --json and --junit.

export type Layer = 0 | 1 | 2 | 3 | 4 | 5;

export const LAYER_NAMES: Record<Layer, string> = {
  0: 'access',
  1: 'underlay',
  2: 'switch',
  3: 'bridges',
  4: 'pods',
  5: 'services',
};

export const LAYER_TITLES: Record<Layer, string> = {
  0: 'labsmith reaches every host over SSH',
  1: 'nodes reach each other; default gateway is the MLS; forwarding on',
  2: "the MLS's table: a route per pod CIDR via its node, nothing routing the service range",
  3: "docker0 exists, is up and holds its pod CIDR's gateway",
  4: 'pods reach pods (same node and across the MLS), nodes and the outside reach pods, no NAT',
  5: 'service IPs and NodePorts answer where something implements them',
};

export type CheckResult = 'pass' | 'fail' | 'skip' | 'unknown';

export type CheckKind =
  | 'ssh'
  | 'prober'
  | 'forwarding'
  | 'gateway'
  | 'reach'
  | 'route'
  | 'service-range'
  | 'docker0'
  | 'pods'
  | 'nat'
  | 'pod'
  | 'service'
  | 'nodeport';

export interface Check {
  /** Stable and unique: "route:10.10.20.0/24", "pod:web-0>probe-kubminion2", ... */
  id: string;
  layer: Layer;
  kind: CheckKind;
  /** Where the check looks from: a host, a pod, or the MLS. */
  source: string;
  /** What it looks at: a host, a pod, a prefix, a service. */
  target: string;
  result: CheckResult;
  /** Round trip of a probe that answered (ms). */
  rttMs?: number;
  /** For anything but a pass: what is wrong, naming the layer's hop, and what to do. */
  diagnosis?: string;
  /** A failure (or unknown) explained by another check's failure: that check's id. */
  cause?: string;
  /** The raw outcome of a probe, e.g. "timeout", "refused", "answer 10.20.30.62". */
  detail?: string;
}

export interface VerifyHostRow {
  host: string;
  role: 'master' | 'minion' | 'router' | 'outside';
  ssh: 'ok' | 'failed' | 'not-used';
  error?: string;
  commands: number;
  connections: number;
}

export interface VerifyReport {
  lab: string;
  emulated: boolean;
  ok: boolean;
  checks: Check[];
  hosts: VerifyHostRow[];
  /** Why a layer has no real checks (e.g. services nothing implements). */
  skipped: Partial<Record<Layer, string>>;
  /** Probe pods removed afterwards (--cleanup), per host. */
  cleanedUp?: Record<string, string[]>;
  ms: number;
  /** Wall time of each phase (ms): connect, facts, probes, cleanup, diagnose. */
  phases: Record<string, number>;
  totals: { checks: number; pass: number; fail: number; skip: number; unknown: number; rootCauses: number; connections: number; commands: number };
}

export function totals(checks: readonly Check[], hosts: readonly VerifyHostRow[]): VerifyReport['totals'] {
  const n = (r: CheckResult) => checks.filter((c) => c.result === r).length;
  return {
    checks: checks.length,
    pass: n('pass'),
    fail: n('fail'),
    skip: n('skip'),
    unknown: n('unknown'),
    rootCauses: checks.filter((c) => (c.result === 'fail' || c.result === 'unknown') && !c.cause).length,
    connections: hosts.reduce((s, h) => s + h.connections, 0),
    commands: hosts.reduce((s, h) => s + h.commands, 0),
  };
}
