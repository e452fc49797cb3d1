// The --against parsers, on captures written in each platform's own format
// (test/fixtures/routes/, see its README) and on labsmith's own renderings: which routes a
// file leaves configured, which of them carry labsmith's mark, and which files are refused.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { PLATFORMS, type Platform } from '../../src/lab/schema.js';
import { parseCapture, planAgainst, readAgainst, renderRoutes, type Capture } from '../../src/render/index.js';
import { exampleLabs } from '../helpers/golden.js';
import { exampleLab, ROOT } from '../helpers/paths.js';
import { edit, K101 } from '../helpers/lab-text.js';
import { readLabText } from '../../src/lab/read.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/routes');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const k101 = () => exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
const show = (c: Capture) => c.routes.map((r) => `${r.prefix} via ${r.via}${r.owned ? ' (labsmith)' : ''}`);

const LABSMITH = ['10.10.10.0/24 via 10.20.30.62 (labsmith)', '10.10.20.0/24 via 10.20.30.63 (labsmith)', '10.10.30.0/24 via 192.168.10.64 (labsmith)', '10.10.50.0/24 via 10.20.30.65 (labsmith)'];
const FOREIGN = ['0.0.0.0/0 via 203.0.113.1', '172.16.0.0/16 via 10.20.30.99'];
const SECOND_HOP = '10.10.10.0/24 via 10.20.30.99';

const CASES: [string, Platform, boolean][] = [
  // file, platform, has an unmarked second next hop for 10.10.10.0/24
  ['ios-show-running-config.txt', 'ios', true],
  ['nxos-show-running-config.txt', 'nxos', true],
  ['eos-show-running-config.txt', 'eos', true],
  ['frr-show-running-config.txt', 'frr', true],
  ['junos-display-set.txt', 'junos', false],
  ['vyos-configuration-commands.txt', 'vyos', false],
  ['linux-ip-route.txt', 'linux', true],
  ['routeros-v7-export.rsc', 'routeros', true],
  ['routeros-v6-export.rsc', 'routeros', true],
];

for (const [file, platform, secondHop] of CASES) {
  test(`${file}: the default table's static routes, labsmith's marked, other VRFs and tables left out`, (t) => {
    const c = readAgainst(platform, fixture(file), file);
    t.deepEqual(show(c).sort(), [...LABSMITH, ...FOREIGN, ...(secondHop ? [SECOND_HOP] : [])].sort());
    t.is(c.renderedFor, undefined);
    const plan = planAgainst(k101().router.routes, c, file);
    t.deepEqual(plan.stale, [{ prefix: '10.10.50.0/24', via: '10.20.30.65', owned: true }]);
    t.is(plan.present.size, 3);
    t.deepEqual(plan.foreign.map((r) => `${r.prefix} via ${r.via}`), secondHop ? [SECOND_HOP] : []);
  });
}

test('each capture reads as its own platform only (NX-OS, EOS and FRR share one `ip route` syntax)', (t) => {
  const cisco = new Set(['nxos', 'eos', 'frr']);
  for (const [file, platform] of CASES) {
    for (const other of PLATFORMS) {
      const compatible = other === platform || (cisco.has(other) && cisco.has(platform));
      let accepted = true;
      try {
        readAgainst(other, fixture(file), file);
      } catch (err) {
        t.true(err instanceof UsageError);
        t.true((err as Error).message.startsWith(`--against ${file}: `), (err as Error).message);
        accepted = false;
      }
      t.is(accepted, compatible, `${file} as ${other}`);
    }
  }
});

test('a file that is not a route configuration of the platform is refused, naming the file', (t) => {
  const refuse = (platform: Platform, text: string, message: RegExp) => {
    const err = t.throws(() => readAgainst(platform, text, 'saved.txt'), { instanceOf: UsageError });
    t.regex(err!.message, message);
    t.regex(err!.message, /^--against saved\.txt: /);
    t.truthy((err as UsageError).hint);
  };
  refuse('ios', '', /the file is empty/);
  refuse('ios', ' \n\r\n', /the file is empty/);
  refuse('ios', readFileSync(exampleLab('kubernetes-101'), 'utf8'), /nothing in it reads as ios configuration/);
  refuse('routeros', readFileSync(exampleLab('kubernetes-101'), 'utf8'), /nothing in it reads as routeros configuration/);
  refuse('linux', '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0', /nothing in it reads as linux configuration/);
  // The routing table rather than the configuration: its routes may be anyone's.
  refuse('ios', 'Gateway of last resort is 203.0.113.1 to network 0.0.0.0\n\nS*    0.0.0.0/0 [1/0] via 203.0.113.1\nS     10.10.10.0/24 [1/0] via 10.20.30.62\n', /nothing in it reads as ios configuration/);
  refuse('frr', 'Codes: K - kernel route, C - connected, S - static\n\nS>* 10.10.10.0/24 [1/0] via 10.20.30.62, eth1, weight 1, 00:00:05\n', /nothing in it reads as frr configuration/);
  refuse('nxos', renderRoutes(k101(), 'ios'), /this is labsmith's ios rendering, not nxos/);
  refuse('frr', renderRoutes(k101(), 'linux'), /this is labsmith's linux rendering, not frr/);
  refuse('ios', 'ip route 10.10.10.0/24 10.20.30.62 tag 4242\n', /use prefix\/length, as NX-OS, EOS and FRR write them/);
  refuse('eos', 'ip route 10.10.10.0 255.255.255.0 10.20.30.62\n', /use network and mask, as IOS writes them/);
});

test("a route-free capture of the right platform is accepted and removes nothing", (t) => {
  const c = readAgainst('ios', 'Building configuration...\n!\nhostname mls\n!\nend\n', 'show-run.txt');
  t.deepEqual(c.routes, []);
  const text = renderRoutes(k101(), 'ios', { against: { file: 'show-run.txt', capture: c } });
  t.regex(text, /^! Against show-run\.txt: nothing of labsmith's to remove; 0 routes of the lab already there\.$/m);
});

test("every route of a labsmith rendering is labsmith's, marked or not (renderings older than the marks)", (t) => {
  const old = ['! labsmith: static routes of lab kubernetes-101 for mls (ios): each node\'s docker0 subnet via the node', '!', 'ip route 10.10.20.0 255.255.255.0 10.20.30.63 name kubminion2', ''].join('\n');
  const c = readAgainst('ios', old, 'old.cfg');
  t.is(c.renderedFor, 'ios');
  t.deepEqual(show(c), ['10.10.20.0/24 via 10.20.30.63 (labsmith)']);
  // The same line in a capture of the switch is someone's route: never removed.
  t.deepEqual(show(readAgainst('ios', 'hostname mls\nip route 10.10.20.0 255.255.255.0 10.20.30.63 name kubminion2\n', 'run.txt')), ['10.10.20.0/24 via 10.20.30.63']);
});

test("replayed over the capture, the rendering leaves exactly the lab's routes as labsmith's", (t) => {
  // The parsers replay a file in order, removal lines included: a capture followed by the
  // rendering made against it is the switch after the paste.
  const moved = readLabText('moved.lab.yaml', edit(K101, 'address: 10.20.30.62, podCidr', 'address: 10.20.30.72, podCidr')).lab;
  for (const [file, platform] of CASES) {
    const capture = fixture(file);
    const rendering = renderRoutes(moved, platform, { against: { file, capture: readAgainst(platform, capture, file) } });
    const after = parseCapture(platform, `${capture}\n${rendering.replace(/^[!#].*$/gm, '')}`);
    t.deepEqual(show(after).filter((r) => r.endsWith('(labsmith)')).sort(), ['10.10.10.0/24 via 10.20.30.72 (labsmith)', ...LABSMITH.slice(1, 3)], file);
  }
});

test('linux: `ip -j route show` JSON, multipath routes and other tables', (t) => {
  const json = JSON.stringify([
    { dst: 'default', gateway: '203.0.113.1', dev: 'eth0', protocol: 'static', flags: [] },
    { dst: '10.10.10.0/24', gateway: '10.20.30.62', dev: 'eth1', protocol: '44', flags: [] },
    { dst: '10.10.50.0/24', protocol: '44', flags: [], nexthops: [{ gateway: '10.20.30.65', dev: 'eth1', weight: 1, flags: [] }, { gateway: '10.20.30.66', dev: 'eth1', weight: 1, flags: [] }] },
    { dst: '10.20.30.0/24', dev: 'eth1', protocol: 'kernel', scope: 'link', prefsrc: '10.20.30.1', flags: [] },
    { type: 'blackhole', dst: '10.99.0.0/16', protocol: '44', flags: [] },
  ]);
  t.deepEqual(show(readAgainst('linux', json, 'routes.json')), ['0.0.0.0/0 via 203.0.113.1', '10.10.10.0/24 via 10.20.30.62 (labsmith)', '10.10.50.0/24 via 10.20.30.65 (labsmith)', '10.10.50.0/24 via 10.20.30.66 (labsmith)']);
  const text = ['10.10.50.0/24 proto 44 ', '\tnexthop via 10.20.30.65 dev eth1 weight 1 ', '\tnexthop via 10.20.30.66 dev eth1 weight 1 ', '10.9.9.9 via 10.20.30.65 dev eth1 proto 44 ', '10.8.0.0/16 via 10.20.30.65 dev eth1 table 100 proto 44'].join('\n');
  t.deepEqual(show(readAgainst('linux', text, 'ip-route.txt')), ['10.10.50.0/24 via 10.20.30.65 (labsmith)', '10.10.50.0/24 via 10.20.30.66 (labsmith)', '10.9.9.9/32 via 10.20.30.65 (labsmith)']);
});

test('the file name in the rendering cannot start a line or close a quote', (t) => {
  const capture = readAgainst('vyos', fixture('vyos-configuration-commands.txt'), 'x');
  const text = renderRoutes(k101(), 'vyos', { against: { file: "/tmp/a\nset system host-name 'evil'", capture } });
  t.false(text.includes('evil\''));
  t.regex(text, /^# Against a\?set\?system\?host-name\?\?evil\?: removes 1 labsmith route/m);
});

test('every fixture is exercised', (t) => {
  t.deepEqual(readdirSync(FIXTURES).filter((f) => f !== 'README.md').sort(), CASES.map((c) => c[0]).sort());
});
