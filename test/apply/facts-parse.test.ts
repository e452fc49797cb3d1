import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FactsParseError, parseNodeFacts } from '../../src/apply/facts-parse.js';
import { ROOT } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/facts', name), 'utf8');

test('parses files, docker0, forwarding, default route, systemd and leftovers from real output', (t) => {
  const facts = parseNodeFacts(fixture('minion-bridge-up.txt'));
  t.deepEqual([...facts.files.keys()], ['/tmp/cap/etc/sysctl.d/99-labsmith.conf', '/tmp/cap/etc/with space.conf']);
  t.deepEqual(facts.files.get('/tmp/cap/etc/with space.conf'), { sha256: '73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac', mode: '644', owner: 'root', group: 'root' });
  t.deepEqual(facts.docker0, { up: true, addresses: ['10.10.10.1/24'] });
  t.false(facts.forwarding);
  t.is(facts.defaultGateway, undefined);
  t.false(facts.systemd);
  t.deepEqual(facts.temps, ['/tmp/cap/etc/.x.labsmith-tmp-abc']);
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
