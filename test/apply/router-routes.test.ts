import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffRoutes, parseOwnedRoutes, routeCommands } from '../../src/apply/router-routes.js';
import { pushPlatform } from '../../src/hosts/router-platform.js';
import { K101, readOk } from '../helpers/lab-text.js';
import { ROOT } from '../helpers/paths.js';

const lab = readOk(K101).lab;
const running = readFileSync(path.join(ROOT, 'test/fixtures/facts/frr-running-config.txt'), 'utf8');

test('FRR: only routes carrying labsmith\'s tag are owned', (t) => {
  t.deepEqual(parseOwnedRoutes('frr', running), [
    { prefix: '10.10.10.0/24', via: '10.20.30.62' },
    { prefix: '10.10.20.0/24', via: '10.20.30.61' },
    { prefix: '10.10.20.0/24', via: '10.20.30.63' },
    { prefix: '10.10.30.0/24', via: '192.168.10.64' },
  ]);
});

test('FRR: a second, wrong next hop is replaced; the foreign route is not touched', (t) => {
  const owned = parseOwnedRoutes('frr', running);
  const changes = diffRoutes(lab.router.routes, owned);
  t.deepEqual(changes, [{ action: 'replace', prefix: '10.10.20.0/24', via: '10.20.30.63', was: '10.20.30.61', node: 'kubminion2' }]);
  t.deepEqual(routeCommands('frr', changes, owned), [[
    'vtysh', '-c', 'configure terminal',
    '-c', 'no ip route 10.10.20.0/24 10.20.30.61 tag 4242',
    '-c', 'ip route 10.10.20.0/24 10.20.30.63 tag 4242',
    '-c', 'end', '-c', 'write memory',
  ]]);
});

test('missing routes are added, routes the lab dropped removed', (t) => {
  const owned = [{ prefix: '10.10.10.0/24', via: '10.20.30.62' }, { prefix: '10.99.0.0/24', via: '10.20.30.70' }];
  const changes = diffRoutes(lab.router.routes, owned);
  t.deepEqual(changes.map((c) => `${c.action} ${c.prefix} ${c.via}`), ['add 10.10.20.0/24 10.20.30.63', 'add 10.10.30.0/24 192.168.10.64', 'remove 10.99.0.0/24 10.20.30.70']);
  t.deepEqual(routeCommands('linux', changes, owned), [
    ['ip', 'route', 'replace', '10.10.20.0/24', 'via', '10.20.30.63', 'proto', '44'],
    ['ip', 'route', 'replace', '10.10.30.0/24', 'via', '192.168.10.64', 'proto', '44'],
    ['ip', 'route', 'del', '10.99.0.0/24', 'via', '10.20.30.70', 'proto', '44'],
  ]);
  t.deepEqual(diffRoutes(lab.router.routes, lab.router.routes.map((r) => ({ prefix: r.prefix.cidr, via: r.via }))), []);
});

test('Linux: routes of labsmith\'s protocol, read from ip -j', (t) => {
  const json = '[{"dst":"10.42.0.0/24","gateway":"192.168.1.11","dev":"eth0","protocol":"44","flags":[]},{"dst":"10.42.9.9","gateway":"192.168.1.12","dev":"eth0","protocol":"44","flags":[]}]';
  t.deepEqual(parseOwnedRoutes('linux', json), [{ prefix: '10.42.0.0/24', via: '192.168.1.11' }, { prefix: '10.42.9.9/32', via: '192.168.1.12' }]);
  t.deepEqual(parseOwnedRoutes('linux', ''), []);
});

test('which switches apply can push, on real and emulated labs', (t) => {
  t.is(pushPlatform(lab, false), undefined, 'an IOS switch is pasted by hand');
  t.is(pushPlatform(lab, true), 'frr', 'its emulated copy runs FRR');
  t.is(pushPlatform({ ...lab, router: { ...lab.router, platform: 'linux' } }, false), 'linux');
});

// Captured shape of `show configuration commands` on VyOS (set-format, values quoted).
const VYOS_CONFIG = [
  "set interfaces ethernet eth0 address '10.20.30.1/24'",
  "set protocols static route 10.10.10.0/24 description 'labsmith: kubminion1'",
  "set protocols static route 10.10.10.0/24 next-hop 10.20.30.62",
  "set protocols static route 10.10.20.0/24 description 'labsmith: kubminion2'",
  "set protocols static route 10.10.20.0/24 next-hop 10.20.30.99",
  "set protocols static route 172.31.0.0/24 next-hop 10.20.30.61",
  "set protocols static route 172.31.1.0/24 description 'uplink to the lab server'",
  "set protocols static route 172.31.1.0/24 next-hop 10.20.30.61",
].join('\n');

test('VyOS: routes whose description is labsmith\'s are owned; others are not', (t) => {
  t.deepEqual(parseOwnedRoutes('vyos', VYOS_CONFIG), [
    { prefix: '10.10.10.0/24', via: '10.20.30.62' },
    { prefix: '10.10.20.0/24', via: '10.20.30.99' },
  ]);
});

test('VyOS: one vbash session, one commit: a wrong next hop replaced, a missing route added, then saved', (t) => {
  const owned = parseOwnedRoutes('vyos', VYOS_CONFIG);
  const changes = diffRoutes(lab.router.routes, owned);
  const [cmd, ...rest] = routeCommands('vyos', changes, owned);
  t.deepEqual(rest, []);
  t.deepEqual(cmd!.slice(0, 3), ['sh', '-c', 'printf "%s\\n" "$@" | vbash -s']);
  t.deepEqual(cmd!.slice(4), [
    'source /opt/vyatta/etc/functions/script-template',
    'configure',
    'delete protocols static route 10.10.20.0/24',
    'set protocols static route 10.10.20.0/24 next-hop 10.20.30.63',
    "set protocols static route 10.10.20.0/24 description 'labsmith: kubminion2'",
    'set protocols static route 10.10.30.0/24 next-hop 192.168.10.64',
    "set protocols static route 10.10.30.0/24 description 'labsmith: kubminion3'",
    'commit',
    'save',
    'exit',
  ]);
  t.deepEqual(routeCommands('vyos', [], owned), []);
});

test('VyOS is pushed on a real lab; its emulated copy runs FRR', (t) => {
  const vyos = { ...lab, router: { ...lab.router, platform: 'vyos' as const } };
  t.is(pushPlatform(vyos, false), 'vyos');
  t.is(pushPlatform(vyos, true), 'frr');
});
