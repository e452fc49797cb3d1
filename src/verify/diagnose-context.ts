// What every step of the diagnosis reads and adds to: the input, the checks made so far, and
// the small lookups the steps share.
import type { Lab, NodePlan } from '../lab/types.js';
import type { Check, Layer } from './model.js';
import type { NodeFacts, ProbeOutcome, RouterFacts } from './parse.js';
import type { OutsideHost, PlannedProbe } from './probes.js';

export interface ObservedHost {
  host: string;
  role: 'master' | 'minion' | 'router' | 'outside';
  /** Connected over SSH. */
  reached: boolean;
  /** Why not ("connect: ...", "auth: ..."). */
  sshError?: string;
  nodeFacts?: NodeFacts;
  routerFacts?: RouterFacts;
  /** The facts/prepare command failed or printed something unreadable. */
  factsError?: string;
  /** The probe command failed, or could not run (python3 missing). */
  probeError?: string;
}

export interface DiagnoseInput {
  lab: Lab;
  /** Hosts labsmith tried to reach, by name. A router absent from it was not read. */
  hosts: Map<string, ObservedHost>;
  /** Why the MLS's table was not read (a platform labsmith cannot read); absent when it was. */
  routerSkip?: string;
  outside?: OutsideHost;
  probes: readonly PlannedProbe[];
  /** Outcome per probe id; absent: the probe did not run. */
  outcomes: Map<string, ProbeOutcome>;
}

export interface Diagnosis {
  checks: Check[];
  skipped: Partial<Record<Layer, string>>;
}

export interface NatSighting {
  pod: string;
  seenAs: string;
  target: string;
}

/** What every step of the diagnosis reads and adds to. */
export interface DiagnosisContext {
  input: DiagnoseInput;
  lab: Lab;
  hosts: Map<string, ObservedHost>;
  router: string;
  routerObs: ObservedHost | undefined;
  routerFacts: RouterFacts | undefined;
  nodeOf: Map<string, NodePlan>;
  checks: Check[];
  byId: Map<string, Check>;
  skipped: Partial<Record<Layer, string>>;
  add(c: Check): Check;
  /** " (kubminion1)" or " (kubminion1's docker0)" after an address, or nothing. */
  who(address: string): string;
  unreachable(host: string): boolean;
  /** A check that could not be made on host: unknown, caused by the SSH failure if that is why. */
  unknownOn(host: string, what: string): Pick<Check, 'result' | 'diagnosis' | 'cause'>;
  /** The nat rules read on a node. */
  natOf(node: string): string[] | undefined;
}

export function diagnosisContext(input: DiagnoseInput): DiagnosisContext {
  const { lab, hosts } = input;
  const checks: Check[] = [];
  const byId = new Map<string, Check>();
  const router = lab.router.name;
  const routerObs = hosts.get(router);
  return {
    input,
    lab,
    hosts,
    router,
    routerObs,
    routerFacts: routerObs?.routerFacts,
    nodeOf: new Map(lab.nodes.map((n) => [n.name, n])),
    checks,
    byId,
    skipped: {},
    add: (c) => {
      checks.push(c);
      byId.set(c.id, c);
      return c;
    },
    who: (address) => {
      const n = lab.nodes.find((x) => x.address === address);
      if (n) return ` (${n.name})`;
      const d = lab.nodes.find((x) => x.docker0?.gateway === address);
      return d ? ` (${d.name}'s docker0)` : '';
    },
    unreachable: (host) => hosts.get(host)?.reached === false,
    unknownOn: (host, what) => {
      const h = hosts.get(host);
      if (!h || !h.reached) return { result: 'unknown', diagnosis: `${what}: not known, ${host} is unreachable over SSH`, cause: `ssh:${host}` };
      return { result: 'unknown', diagnosis: `${what}: not known, reading ${host} failed: ${h.factsError ?? 'no facts'}` };
    },
    natOf: (node) => hosts.get(node)?.nodeFacts?.natRules,
  };
}
