import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  checkHostKey,
  fingerprintSha256,
  hostKeyName,
  hostsFieldMatches,
  KnownHosts,
  parseKnownHosts,
} from '../../src/remote/known-hosts.js';
import { makeKey, removeTempDirs, sshKeygenFingerprint, tempDir } from './helpers/sshd.js';

test.after.always(removeTempDirs);

const run = promisify(execFile);

test('fingerprints match ssh-keygen -l', async (t) => {
  const dir = tempDir('kh');
  const key = await makeKey(dir, 'k');
  t.is(fingerprintSha256(key.blob), await sshKeygenFingerprint(`${key.path}.pub`));
});

test('host names follow OpenSSH: bare on port 22, [host]:port otherwise', (t) => {
  t.is(hostKeyName('10.20.30.61', 22), '10.20.30.61');
  t.is(hostKeyName('127.0.0.1', 2222), '[127.0.0.1]:2222');
});

test('patterns: lists, wildcards, negation, hashed names from ssh-keygen -H', async (t) => {
  t.true(hostsFieldMatches('kubmasta,10.20.30.61', ['10.20.30.61']));
  t.true(hostsFieldMatches('10.20.30.*,!10.20.30.9', ['10.20.30.61']));
  t.false(hostsFieldMatches('10.20.30.*,!10.20.30.61', ['10.20.30.61']));
  t.false(hostsFieldMatches('[127.0.0.1]:2222', ['127.0.0.1']));
  const dir = tempDir('kh');
  const key = await makeKey(dir, 'k');
  const file = path.join(dir, 'known_hosts');
  fs.writeFileSync(file, `[127.0.0.1]:2222 ${key.pubLine.split(' ').slice(0, 2).join(' ')}\n`);
  await run('ssh-keygen', ['-H', '-f', file]);
  const [entry] = parseKnownHosts(fs.readFileSync(file, 'utf8'));
  t.true(entry!.hosts.startsWith('|1|'));
  t.true(hostsFieldMatches(entry!.hosts, ['[127.0.0.1]:2222']));
  t.false(hostsFieldMatches(entry!.hosts, ['[127.0.0.1]:2223']));
});

test('first contact records the key in a file OpenSSH can read, then it is known', async (t) => {
  const dir = tempDir('kh');
  const key = await makeKey(dir, 'k');
  const file = path.join(dir, 'state', 'known_hosts');
  const kh = new KnownHosts(file);
  const check = { knownHosts: kh, host: 'kubmasta', names: ['[127.0.0.1]:2222', '[kubmasta]:2222'], acceptNew: true, acceptChanged: false };
  const first = checkHostKey(check, key.blob);
  t.is(first.verdict, 'recorded');
  t.is(fs.readFileSync(file, 'utf8'), `[127.0.0.1]:2222,[kubmasta]:2222 ssh-ed25519 ${key.blob.toString('base64')}\n`);
  const { stdout } = await run('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file]);
  t.true(stdout.includes(key.blob.toString('base64')));
  t.is(checkHostKey(check, key.blob).verdict, 'known');
  t.is(kh.read().length, 1);
});

test('a changed key is refused with both fingerprints, the file, the line and how to accept', async (t) => {
  const dir = tempDir('kh');
  const [oldKey, newKey] = await Promise.all([makeKey(dir, 'old'), makeKey(dir, 'new')]);
  const file = path.join(dir, 'known_hosts');
  fs.writeFileSync(file, `# comment\nother ssh-ed25519 ${newKey.blob.toString('base64')}\n10.20.30.61 ssh-ed25519 ${oldKey.blob.toString('base64')}\n`);
  const kh = new KnownHosts(file);
  const check = { knownHosts: kh, host: 'kubmasta', names: ['10.20.30.61', 'kubmasta'], acceptNew: true, acceptChanged: false };
  const d = checkHostKey(check, newKey.blob);
  if (d.verdict !== 'refused') return t.fail(d.verdict);
  t.is(d.error.kind, 'hostkey');
  t.is(d.error.host, 'kubmasta');
  for (const s of [fingerprintSha256(oldKey.blob), fingerprintSha256(newKey.blob), file, 'line 3', '--accept-new-host-key kubmasta', "ssh-keygen -R '10.20.30.61'"]) {
    t.true(d.error.message.includes(s), `message names ${s}: ${d.error.message}`);
  }
  t.is(fs.readFileSync(file, 'utf8').split('\n').length, 4, 'file untouched');

  const accepted = checkHostKey({ ...check, acceptChanged: true }, newKey.blob);
  t.is(accepted.verdict, 'replaced');
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  t.deepEqual(lines.slice(0, 2), ['# comment', `other ssh-ed25519 ${newKey.blob.toString('base64')}`]);
  t.is(lines[2], `10.20.30.61,kubmasta ssh-ed25519 ${newKey.blob.toString('base64')}`);
  t.is(checkHostKey(check, newKey.blob).verdict, 'known');
});

test('with recording off an unknown key is refused; @revoked always is', async (t) => {
  const dir = tempDir('kh');
  const key = await makeKey(dir, 'k');
  const file = path.join(dir, 'known_hosts');
  const kh = new KnownHosts(file);
  const check = { knownHosts: kh, host: 'h1', names: ['10.0.0.1'], acceptNew: false, acceptChanged: false };
  const d = checkHostKey(check, key.blob);
  t.is(d.verdict, 'refused');
  t.false(fs.existsSync(file));
  fs.writeFileSync(file, `@revoked * ssh-ed25519 ${key.blob.toString('base64')}\n`);
  const r = checkHostKey({ ...check, acceptNew: true, acceptChanged: true }, key.blob);
  if (r.verdict !== 'refused') return t.fail(r.verdict);
  t.regex(r.error.message, /@revoked/);
});

test('known key types are offered first', async (t) => {
  const dir = tempDir('kh');
  const file = path.join(dir, 'known_hosts');
  await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', path.join(dir, 'rsa')]);
  const rsa = fs.readFileSync(path.join(dir, 'rsa.pub'), 'utf8').split(' ');
  fs.writeFileSync(file, `h ${rsa[0]} ${rsa[1]}\n`);
  t.deepEqual(new KnownHosts(file).preferredAlgorithms(['h']), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  t.is(new KnownHosts(file).preferredAlgorithms(['x']), undefined);
});
