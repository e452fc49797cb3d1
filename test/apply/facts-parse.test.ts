import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FactsParseError, parseNodeFacts } from '../../src/apply/facts-parse.js';
import { ROOT } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/facts', name), 'utf8');

test('parses files, docker0, forwarding, default route, systemd and leftovers from real output', (t) => {
  const facts = parseNodeFacts(fixture('minion-bridge-up.txt'));
  t.deepEqual([...facts.files.keys()], ['/tmp/cap/etc/sysctl.d/99-labsmith.conf', '/tmp/cap/etc/with space.conf']);
  t.deepEqual(facts.files.get('/tmp/cap/etc/with space.conf'), { sha256: '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4', mode: '644', owner: 'root', group: 'root' });
  t.deepEqual(facts.docker0, { up: true, addresses: ['10.10.10.1/24'] });
  t.false(facts.forwarding);
  t.is(facts.defaultGateway, undefined);
  t.false(facts.systemd);
  t.deepEqual(facts.temps, ['/tmp/cap/etc/.x.labsmith-tmp-abc']);
  t.deepEqual(facts.natRules, ['-A POSTROUTING -s 10.10.10.0/24 -j MASQUERADE'], 'the shared network facts include the nat table');
});

test('a host without docker0 but with a default route', (t) => {
  const facts = parseNodeFacts(fixture('minion-bare.txt'));
  t.is(facts.docker0, undefined);
  t.is(facts.defaultGateway, '10.20.30.1');
  t.is(facts.files.size, 0);
});

test('output cut short is an error, not an empty host', (t) => {
  const cut = fixture('minion-bare.txt').split('@systemd')[0]!;
  t.throws(() => parseNodeFacts(cut), { instanceOf: FactsParseError, message: /no @systemd section/ });
});
