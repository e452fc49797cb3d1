// `labsmith routes --against FILE`: read the file as the given platform's configuration and
// work out which of labsmith's routes in it the lab no longer has. Pure; the CLI reads the
// file. A route is labsmith's when it carries the mark (or the file is a labsmith
// rendering, all of whose routes are labsmith's); no other route is ever a candidate.
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Platform } from '../../lab/schema.js';
import type { MlsRoute } from '../../lab/types.js';
import { captureLines, renderedPlatform, type Capture, type CapturedRoute } from './captured.js';
import { parseIpRoutes } from './parse-ip-route.js';
import { parseLinuxRoutes } from './parse-linux.js';
import { parseRouterOsRoutes } from './parse-routeros.js';
import { parseSetTree } from './parse-set-tree.js';

const PARSERS: Record<Platform, (lines: readonly string[]) => Capture> = {
  ios: (l) => parseIpRoutes(l, 'ios'),
  nxos: (l) => parseIpRoutes(l, 'nxos'),
  eos: (l) => parseIpRoutes(l, 'eos'),
  frr: (l) => parseIpRoutes(l, 'frr'),
  junos: (l) => parseSetTree(l, 'junos'),
  vyos: (l) => parseSetTree(l, 'vyos'),
  linux: parseLinuxRoutes,
  routeros: parseRouterOsRoutes,
};

/** How to capture each platform's routes for --against. */
export const CAPTURE_COMMANDS: Record<Platform, string> = {
  ios: 'show running-config',
  nxos: 'show running-config',
  eos: 'show running-config',
  frr: "vtysh -c 'show running-config'",
  junos: 'show configuration | display set',
  vyos: 'show configuration commands',
  linux: 'ip route show',
  routeros: '/ip route export',
};

/** The file's routes as the platform reads them; never throws. */
export function parseCapture(platform: Platform, text: string): Capture {
  const lines = captureLines(text);
  const capture = PARSERS[platform](lines);
  const renderedFor = renderedPlatform(lines);
  if (renderedFor === undefined) return capture;
  // Everything a labsmith rendering configures is labsmith's, marked or not (renderings
  // made before the marks existed carry none on IOS, NX-OS and EOS).
  const routes = renderedFor === platform ? capture.routes.map((r) => ({ ...r, owned: true })) : capture.routes;
  return { ...capture, routes, recognised: capture.recognised + 1, renderedFor };
}

/** parseCapture, refusing a file that is not this platform's configuration (exit 2). */
export function readAgainst(platform: Platform, text: string, file: string): Capture {
  const how = `pass labsmith's previous ${platform} rendering, or the switch's routes as \`${CAPTURE_COMMANDS[platform]}\` prints them`;
  if (!text.trim()) throw new UsageError(`--against ${file}: the file is empty`, `${how}; a switch without static routes needs no --against`);
  const capture = parseCapture(platform, text);
  if (capture.renderedFor !== undefined && capture.renderedFor !== platform) {
    throw new UsageError(`--against ${file}: this is labsmith's ${capture.renderedFor} rendering, not ${platform}`, `pass --platform ${capture.renderedFor}, or ${how}`);
  }
  if (capture.misfits > 0 && capture.routes.length === 0) {
    const form = platform === 'ios' ? 'prefix/length, as NX-OS, EOS and FRR write them; IOS writes network and mask' : `network and mask, as IOS writes them; ${platform} writes prefix/length`;
    throw new UsageError(`--against ${file}: its ${capture.misfits} \`ip route\` line(s) use ${form}`, how);
  }
  if (capture.recognised === 0) throw new UsageError(`--against ${file}: nothing in it reads as ${platform} configuration`, how);
  return capture;
}

export interface AgainstPlan {
  /** The file's name as it may appear in a comment of the rendering. */
  file: string;
  /** labsmith's routes in the file that the lab no longer has (prefix and next hop). */
  stale: CapturedRoute[];
  /** "prefix via" of the lab's routes the file already has as labsmith's. */
  present: Set<string>;
  /** Routes not labsmith's on a prefix the lab routes: left alone, worth a warning. */
  foreign: CapturedRoute[];
}

export const routeKey = (prefix: string, via: string): string => `${prefix} ${via}`;

export function planAgainst(routes: readonly MlsRoute[], capture: Capture, file: string): AgainstPlan {
  const wanted = new Set(routes.map((r) => routeKey(r.prefix.cidr, r.via)));
  const prefixes = new Set(routes.map((r) => r.prefix.cidr));
  const plan: AgainstPlan = { file: displayName(file), stale: [], present: new Set(), foreign: [] };
  for (const r of capture.routes) {
    const key = routeKey(r.prefix, r.via);
    if (r.owned) {
      if (wanted.has(key)) plan.present.add(key);
      else plan.stale.push(r);
    } else if (prefixes.has(r.prefix) && !wanted.has(key)) {
      plan.foreign.push(r);
    }
  }
  return plan;
}

// The name goes into a comment of a config file: nothing in it may start a new line or
// close a quote.
function displayName(file: string): string {
  return path.basename(file).replace(/[^A-Za-z0-9._+-]/g, '?') || '?';
}
