// Plans one host: compares the rendered files and the lab's live network model with the
// facts read from the host. Pure; apply executes the result.
import { sha256 } from '../core/hash.js';
import type { NodePlan as LabNode } from '../lab/types.js';
import type { HostRender, RenderedFile } from '../render/types.js';
import type { NodeFacts } from './facts-parse.js';
import { restartOrder } from './restart-order.js';
import { describeRouteChange, routeCommands, type OwnedRoute, type PushPlatform, type RouteChange } from './router-routes.js';

export interface FileChange {
  action: 'create' | 'update';
  file: RenderedFile;
  /** What differs: content, mode, owner. */
  reasons: ('content' | 'mode' | 'owner')[];
}

export interface HostChanges {
  host: string;
  role: HostRender['role'];
  files: FileChange[];
  unchanged: number;
  daemonReload: boolean;
  /** Units to restart, in dependency order. */
  restarts: string[];
  /** Set when systemd does not run there: the handlers are skipped, and this says why. */
  handlersSkipped?: string;
  /** Live changes in words ("create bridge docker0", "add route ..."). */
  live: string[];
  /** The commands that carry the live changes out, in order. */
  liveCommands: string[][];
  /** Leftovers of a killed upload, removed on apply. */
  temps: string[];
}

export function planFiles(render: HostRender, facts: NodeFacts): Pick<HostChanges, 'files' | 'unchanged' | 'daemonReload' | 'restarts' | 'handlersSkipped'> {
  const files: FileChange[] = [];
  let unchanged = 0;
  for (const file of render.files) {
    const current = facts.files.get(file.path);
    if (!current) {
      files.push({ action: 'create', file, reasons: ['content'] });
      continue;
    }
    const reasons: FileChange['reasons'] = [];
    if (current.sha256 !== sha256(file.content)) reasons.push('content');
    if (current.mode !== file.mode.toString(8)) reasons.push('mode');
    if (current.owner !== file.owner || current.group !== file.group) reasons.push('owner');
    if (reasons.length) files.push({ action: 'update', file, reasons });
    else unchanged++;
  }
  const notified = files.flatMap((f) => f.file.notifies);
  const daemonReload = notified.some((h) => h.kind === 'daemon-reload');
  const restarts = restartOrder(notified.flatMap((h) => (h.kind === 'restart' ? [h.unit] : [])));
  const skip = !facts.systemd && (daemonReload || restarts.length > 0);
  return {
    files,
    unchanged,
    daemonReload: daemonReload && facts.systemd,
    restarts: facts.systemd ? restarts : [],
    ...(skip ? { handlersSkipped: `systemd does not run on ${render.host}; ${[daemonReload ? 'daemon-reload' : '', ...restarts.map((u) => `restart ${u}`)].filter(Boolean).join(', ')} skipped` } : {}),
  };
}

export function planNode(render: HostRender, node: LabNode, facts: NodeFacts): HostChanges {
  const files = planFiles(render, facts);
  // A docker restarted from the options just written makes docker0 with its bip itself.
  const live = [...kernelChanges(files.files), ...liveChanges(node, facts, { dockerConverges: files.restarts.includes('docker.service') })];
  return {
    host: render.host,
    role: render.role,
    ...files,
    live: live.map((l) => l.description),
    liveCommands: live.map((l) => l.argv),
    temps: facts.temps,
  };
}

export function planRouter(render: HostRender, facts: NodeFacts, platform: PushPlatform, changes: RouteChange[], owned: OwnedRoute[]): HostChanges {
  const forwarding = facts.forwarding ? [] : [{ description: 'turn IPv4 forwarding on', argv: forwardingOn }];
  return {
    host: render.host,
    role: 'router',
    ...planFiles(render, facts),
    live: [...forwarding.map((f) => f.description), ...changes.map(describeRouteChange)],
    liveCommands: [...forwarding.map((f) => f.argv), ...routeCommands(platform, changes, owned)],
    temps: facts.temps,
  };
}

const forwardingOn = ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'];

// Loads each module a modules-load.d file lists unless it is there already: loaded, or built
// into the kernel, which /sys/module does not always show (a built-in br_netfilter shows only
// as /proc/sys/net/bridge).
const MODULES_SCRIPT = [
  'while read -r m _; do',
  '  case "$m" in ""|"#"*|";"*) continue ;; esac',
  '  [ -d "/sys/module/$m" ] && continue',
  '  [ "$m" = br_netfilter ] && [ -d /proc/sys/net/bridge ] && continue',
  '  modprobe -- "$m" || exit 1',
  'done <"$1"',
].join('\n');

/** The kernel settings of the files written: each sysctl file applied, each module file's
 * modules loaded, once per file, in file order. */
export function kernelChanges(files: readonly FileChange[]): { description: string; argv: string[] }[] {
  return files.flatMap(({ file }) =>
    file.notifies.flatMap((h) => {
      if (h.kind !== 'network') return [];
      if (h.what === 'sysctl') return [{ description: `apply ${file.path}`, argv: ['sysctl', '-q', '-p', file.path] }];
      if (h.what === 'modules') return [{ description: `load the modules of ${file.path}`, argv: ['sh', '-c', MODULES_SCRIPT, 'labsmith-modules', file.path] }];
      return [];
    }),
  );
}

// The live state the rendered files describe, converged without a reboot. docker0 is made
// here only where no docker restart will make it: no systemd to run the handler, or docker
// options unchanged while docker0 drifted.
export function liveChanges(node: LabNode, facts: NodeFacts, opts: { dockerConverges?: boolean } = {}): { description: string; argv: string[] }[] {
  const out: { description: string; argv: string[] }[] = [];
  const bridge = node.docker0;
  if (bridge && !opts.dockerConverges) {
    const want = `${bridge.gateway}/${bridge.prefix.length}`;
    if (!facts.docker0) out.push({ description: 'create bridge docker0', argv: ['ip', 'link', 'add', 'docker0', 'type', 'bridge'] });
    const have = facts.docker0?.addresses ?? [];
    for (const addr of have) {
      if (addr !== want) out.push({ description: `remove ${addr} from docker0`, argv: ['ip', 'addr', 'del', addr, 'dev', 'docker0'] });
    }
    if (!have.includes(want)) out.push({ description: `add ${want} to docker0`, argv: ['ip', 'addr', 'add', want, 'dev', 'docker0'] });
    if (!facts.docker0?.up) out.push({ description: 'bring docker0 up', argv: ['ip', 'link', 'set', 'docker0', 'up'] });
  }
  if (!facts.forwarding) out.push({ description: 'turn IPv4 forwarding on', argv: forwardingOn });
  if (facts.defaultGateway !== node.gateway) {
    out.push({ description: `default route via ${node.gateway}${facts.defaultGateway ? ` (was via ${facts.defaultGateway})` : ''}`, argv: ['ip', 'route', 'replace', 'default', 'via', node.gateway] });
  }
  return out;
}

export function isEmpty(plan: HostChanges): boolean {
  return plan.files.length === 0 && plan.liveCommands.length === 0 && plan.temps.length === 0;
}
