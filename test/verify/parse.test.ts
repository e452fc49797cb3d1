import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCleanup, parseNodeFacts, parseProbeOutput, parseRouterFacts, VerifyParseError } from '../../src/verify/parse.js';
import { ROOT } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/verify', name), 'utf8');

test('a minion whose probe pods are there: facts, pods ok, listener kept', (t) => {
  const f = parseNodeFacts(fixture('minion-prepare.txt'));
  t.true(f.forwarding);
  t.is(f.defaultGateway, '10.20.30.1');
  t.deepEqual(f.docker0, { up: true, addresses: ['10.10.10.1/24'] });
  t.deepEqual(f.natRules, []);
  t.deepEqual(f.pods?.map((p) => [p.netns, p.status]), [['lsmpod-web-controller-2-0', 'ok'], ['lsmpod-web-controller-2-3', 'ok'], ['lsmpod-probe-kubminion1', 'ok']]);
  t.is(f.listener?.status, 'kept');
  t.true((f.listener?.pid ?? 0) > 0);
});

test('a fresh minion: pods made, a stale labsmith pod removed, listener started', (t) => {
  const f = parseNodeFacts(fixture('minion-prepare-fresh.txt'));
  t.deepEqual(f.pods?.map((p) => [p.netns, p.status]), [['lsmpod-web-controller-2-2', 'made'], ['lsmpod-probe-kubminion3', 'made'], ['lsmpod-stale-pod', 'removed']]);
  t.is(f.listener?.status, 'started');
});

test('a broken minion: docker0 down, forwarding off, a masquerade rule', (t) => {
  const f = parseNodeFacts(fixture('minion-prepare-broken.txt'));
  t.false(f.forwarding);
  t.deepEqual(f.docker0, { up: false, addresses: ['10.10.20.1/24'] });
  t.deepEqual(f.natRules, ['-A POSTROUTING -s 10.10.20.0/24 -j MASQUERADE']);
});

test('a master: no docker0, no pods section', (t) => {
  const f = parseNodeFacts(fixture('master-facts.txt'));
  t.is(f.docker0, undefined);
  t.is(f.pods, undefined);
  t.is(f.listener, undefined);
  t.is(f.defaultGateway, '10.20.30.1');
});

test('pod errors and listener failures are kept with their message', (t) => {
  const text = fixture('master-facts.txt').replace('@end', '@pods\npod lsmpod-a error cannot attach lsmv1 to docker0: Cannot find device "docker0"\n@listener\nlistener error lsmpod-a:4244: Address in use\n@end');
  const f = parseNodeFacts(text);
  t.deepEqual(f.pods, [{ netns: 'lsmpod-a', status: 'error', message: 'cannot attach lsmv1 to docker0: Cannot find device "docker0"' }]);
  t.deepEqual(f.listener, { status: 'error', message: 'lsmpod-a:4244: Address in use' });
  t.is(parseNodeFacts(text.replace(/listener error .*/, 'listener nopython')).listener?.status, 'nopython');
});

test('output cut short is an error', (t) => {
  t.throws(() => parseNodeFacts(fixture('minion-prepare.txt').split('@nat')[0]!), { instanceOf: VerifyParseError, message: /no @nat section/ });
});

test("FRR's table: every route with its next hops, connected ones without", (t) => {
  const r = parseRouterFacts('frr', fixture('frr-routes.txt'));
  t.true(r.forwarding);
  const statics = r.routes.filter((x) => x.protocol === 'static').map((x) => [x.prefix, x.nexthops.join(','), x.installed]);
  t.deepEqual(statics, [['10.10.10.0/24', '10.20.30.62', true], ['10.10.20.0/24', '10.20.30.63', true], ['10.10.30.0/24', '192.168.10.64', true]]);
  t.true(r.routes.some((x) => x.prefix === '198.18.0.0/30' && x.protocol === 'connected' && x.nexthops.length === 0));
});

test("FRR's table after breakage: a route gone, one pointing elsewhere, one into the service range", (t) => {
  const r = parseRouterFacts('frr', fixture('frr-routes-broken.txt'));
  const statics = r.routes.filter((x) => x.protocol === 'static').map((x) => [x.prefix, x.nexthops.join(',')]);
  t.deepEqual(statics, [['10.10.10.0/24', '10.20.30.62'], ['10.10.30.0/24', '10.20.30.62'], ['10.100.0.0/24', '10.20.30.61']]);
});

test("a Linux router's table from ip -j route", (t) => {
  const r = parseRouterFacts('linux', fixture('linux-routes.txt'));
  t.deepEqual(r.routes.filter((x) => x.nexthops.length).map((x) => [x.prefix, x.nexthops[0], x.protocol]), [
    ['10.10.10.0/24', '10.20.30.62', 'static'],
    ['10.10.20.0/24', '10.20.30.63', 'static'],
    ['10.10.30.0/24', '192.168.10.64', 'static'],
  ]);
});

test('a table that could not be read is an error', (t) => {
  t.throws(() => parseRouterFacts('frr', '@forwarding\n1\n@routes\n% vtysh: failed to connect to any daemons.\n@error\nvtysh exited 1\n@end\n'), { instanceOf: VerifyParseError, message: /vtysh exited 1/ });
  t.throws(() => parseRouterFacts('frr', '@forwarding\n1\n@routes\nnot json\n@end\n'), { instanceOf: VerifyParseError, message: /not JSON/ });
});

test('probe lines: answers, RTTs and every failure reason', (t) => {
  const p = parseProbeOutput(fixture('probe-mixed.txt'));
  t.true(p.complete);
  t.false(p.noPython);
  t.is(p.results.size, 8);
  const r = (i: number) => p.results.get(i);
  t.like(r(0), { ok: true, answer: '10.10.10.2' });
  const first = r(0)!;
  t.true(first.ok && first.rttMs > 0);
  t.deepEqual(r(1), { ok: false, reason: 'netunreach', detail: '101' });
  t.deepEqual(r(2), { ok: false, reason: 'timeout' });
  t.like(r(3), { ok: true });
  t.is((r(3) as { answer?: string }).answer, undefined);
  t.deepEqual(r(5), { ok: false, reason: 'refused', detail: '111' });
  t.deepEqual(r(6), { ok: false, reason: 'nons', detail: 'lsmpod-nope' });
});

test('a prober cut short, and one that found no python', (t) => {
  const cut = parseProbeOutput('P 0 ok 0.3 10.0.0.1\n');
  t.false(cut.complete);
  t.is(cut.results.size, 1);
  t.true(parseProbeOutput('@nopython\n').noPython);
});

test('cleanup output', (t) => {
  t.deepEqual(parseCleanup(fixture('cleanup.txt')), { removed: ['lsmpod-probe-kubminion3', 'lsmpod-web-controller-2-2'], listenerStopped: true });
});
