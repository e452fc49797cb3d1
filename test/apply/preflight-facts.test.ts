import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FactsParseError } from '../../src/hosts/net-facts.js';
import { osFamily, parsePreflightFacts } from '../../src/hosts/preflight-facts.js';
import { ROOT } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/preflight', name), 'utf8');

test('this Debian 12 host, read for real: os, clock, swap, br_netfilter, FORWARD policy, cgroup, binaries', (t) => {
  const f = parsePreflightFacts(fixture('debian12-host.txt'));
  t.deepEqual(f.os, { id: 'debian', versionId: '12' });
  t.is(osFamily(f.os), 'debian12');
  t.true(f.clock > 1.7e9 && f.clock < 2e9, 'date +%s.%N read as seconds');
  t.deepEqual(f.swaps, [], 'the header line of /proc/swaps is not a swap');
  t.deepEqual(f.brNetfilter, { loaded: true, callIptables: true }, 'built-in br_netfilter: no /sys/module entry but its sysctl is there');
  t.is(f.forwardPolicy, 'ACCEPT');
  t.is(f.cgroupFs, 'tmpfs');
  t.false(f.systemd);
  t.deepEqual(f.listeners, [{ local: '0.0.0.0:2024', port: 2024, processes: [] }], 'a listener of another pid namespace has no users');
  t.deepEqual(f.binaries.get('/opt/none/kubelet'), { state: 'missing' });
  t.is(f.binaries.get('/usr/bin/ssh')?.state, 'ok');
  t.is(f.binaries.get('/usr/bin/ssh')?.version, 'unknown option -- -', "a binary without --version: its complaint is what is reported");
});

test('a dirty namespace: docker0 with docker\'s address, FORWARD DROP, the kubelet port held by python3, paths with spaces', (t) => {
  const f = parsePreflightFacts(fixture('netns-dirty.txt'));
  t.deepEqual(f.docker0, { up: true, addresses: ['172.17.0.1/16'] });
  t.is(f.forwardPolicy, 'DROP');
  t.is(f.listeners.length, 1);
  t.like(f.listeners[0], { local: '127.0.0.1:10250', port: 10250 });
  t.is(f.listeners[0]!.processes[0]!.name, 'python3');
  t.true(f.listeners[0]!.processes[0]!.pid > 0);
  t.deepEqual(f.binaries.get('/opt/with space/etcd'), { state: 'missing' });
  t.deepEqual(f.binaries.get('/etc/os-release'), { state: 'noexec' });
  t.is(f.cgroupFs, 'sysfs');
});

test('os-release families: centos 7, ubuntu 22.04, quoted or not', (t) => {
  t.is(osFamily({ id: 'centos', versionId: '7' }), 'centos7');
  t.is(osFamily({ id: 'ubuntu', versionId: '22.04' }), 'ubuntu22');
  t.is(osFamily({}), undefined);
  const out = fixture('debian12-host.txt').replace('ID=debian', 'ID="centos"').replace('VERSION_ID="12"', "VERSION_ID='7'");
  t.is(osFamily(parsePreflightFacts(out).os), 'centos7');
});

test('output cut short is an error, not a clean host', (t) => {
  const cut = fixture('netns-dirty.txt').split('@bins')[0]!;
  t.throws(() => parsePreflightFacts(cut), { instanceOf: FactsParseError, message: /no @bins section/ });
});
