// The Linux switch's routes.sh, run for real in a network namespace this test makes (as
// root): it installs the lab's routes, converges when run again or after a node moved,
// deletes labsmith's routes the lab no longer has and never touches another route. The
// namespace's own `ip route show` is then the capture --against reads. No packet is sent:
// the next hops sit on a veth pair inside the namespace.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLabText } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { readAgainst, renderRoutes } from '../../src/render/index.js';
import { edit, K101 } from '../helpers/lab-text.js';
import { runTool } from '../helpers/tools.js';

const NS = `lsm-routes-${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-linux-routes-'));

function ip(...args: string[]): string {
  const r = runTool('ip', args, 'iproute2');
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const inNs = (...args: string[]) => ip('netns', 'exec', NS, 'ip', ...args);

function run(script: string): { code: number; stderr: string } {
  const file = path.join(dir, 'routes.sh');
  writeFileSync(file, script, { mode: 0o755 });
  return runTool('ip', ['netns', 'exec', NS, 'sh', file], 'iproute2');
}

const table = () =>
  inNs('-4', 'route', 'show')
    .split('\n')
    .filter((l) => l && !/proto kernel/.test(l))
    .map((l) => l.replace(/ dev v0/, '').trim())
    .sort();

const lab = (text = K101): Lab => {
  const l = readLabText('lab.yaml', text).lab;
  return { ...l, router: { ...l.router, platform: 'linux' } };
};

test.before(() => {
  if (process.getuid?.() !== 0) throw new Error('this test runs routes.sh in a network namespace and must run as root');
  ip('netns', 'add', NS);
  inNs('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  inNs('link', 'set', 'v0', 'up');
  inNs('link', 'set', 'v1', 'up');
  inNs('addr', 'add', '10.20.30.1/24', 'dev', 'v0');
  inNs('addr', 'add', '192.168.10.1/24', 'dev', 'v0');
  // Someone else's routes, one on a lab prefix; and a labsmith route from a node since removed.
  inNs('route', 'add', '172.16.0.0/16', 'via', '10.20.30.99', 'proto', 'static');
  inNs('route', 'add', '10.10.10.0/24', 'via', '10.20.30.99', 'metric', '100');
  inNs('route', 'add', '10.10.50.0/24', 'via', '10.20.30.65', 'proto', '44');
});

test.after.always(() => {
  runTool('ip', ['netns', 'del', NS], 'iproute2');
  rmSync(dir, { recursive: true, force: true });
});

const FOREIGN = ['10.10.10.0/24 via 10.20.30.99 metric 100', '172.16.0.0/16 via 10.20.30.99 proto static'];

test.serial('routes.sh installs the lab, drops the stale labsmith route, keeps the others; a second run changes nothing', (t) => {
  const script = renderRoutes(lab(), 'linux');
  t.is(run(script).code, 0);
  const want = [...FOREIGN, '10.10.10.0/24 via 10.20.30.62 proto 44', '10.10.20.0/24 via 10.20.30.63 proto 44', '10.10.30.0/24 via 192.168.10.64 proto 44'].sort();
  t.deepEqual(table(), want);
  t.is(run(script).code, 0);
  t.deepEqual(table(), want);
});

test.serial('after a node moved, the script alone converges; against the capture it names the old route', (t) => {
  const moved = lab(edit(edit(K101, 'address: 10.20.30.62, podCidr', 'address: 10.20.30.72, podCidr'), 'podCidr: 10.10.20.0/24', 'podCidr: 10.10.40.0/24'));
  // The switch's own `ip route show` (and its JSON form) is the capture.
  for (const capture of [inNs('route', 'show'), inNs('-j', 'route', 'show')]) {
    const c = readAgainst('linux', capture, 'ip-route.txt');
    t.deepEqual(c.routes.filter((r) => r.owned).map((r) => `${r.prefix} ${r.via}`).sort(), ['10.10.10.0/24 10.20.30.62', '10.10.20.0/24 10.20.30.63', '10.10.30.0/24 192.168.10.64']);
    const script = renderRoutes(moved, 'linux', { against: { file: 'ip-route.txt', capture: c } });
    t.deepEqual(script.split('\n').filter((l) => l.startsWith('ip route del ')), [
      'ip route del 10.10.10.0/24 via 10.20.30.62 proto 44 2>/dev/null || true',
      'ip route del 10.10.20.0/24 via 10.20.30.63 proto 44 2>/dev/null || true',
    ]);
  }
  const c = readAgainst('linux', inNs('route', 'show'), 'ip-route.txt');
  const want = [...FOREIGN, '10.10.10.0/24 via 10.20.30.72 proto 44', '10.10.40.0/24 via 10.20.30.63 proto 44', '10.10.30.0/24 via 192.168.10.64 proto 44'].sort();
  const r = run(renderRoutes(moved, 'linux', { against: { file: 'ip-route.txt', capture: c } }));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(table(), want);
  // Run again: its removals find nothing, and that is no error.
  t.is(run(renderRoutes(moved, 'linux', { against: { file: 'ip-route.txt', capture: c } })).code, 0);
  t.deepEqual(table(), want);
  // Back to the original lab without --against: the plain script converges by itself.
  t.is(run(renderRoutes(lab(), 'linux')).code, 0);
  t.deepEqual(table(), [...FOREIGN, '10.10.10.0/24 via 10.20.30.62 proto 44', '10.10.20.0/24 via 10.20.30.63 proto 44', '10.10.30.0/24 via 192.168.10.64 proto 44'].sort());
});

test.serial('a failing route stops the script with a non-zero status (set -e)', (t) => {
  const broken = renderRoutes(lab(), 'linux').replace('via 10.20.30.62 proto 44', 'via 10.77.0.1 proto 44');
  const r = run(broken);
  t.not(r.code, 0);
  t.regex(r.stderr, /Nexthop has invalid gateway|Network is unreachable/);
});
