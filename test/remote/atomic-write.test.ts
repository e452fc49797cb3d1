import test from 'ava';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isLabsmithTemp, tempPathFor } from '../../src/remote/atomic-write.js';
import { RemoteHost } from '../../src/remote/connection.js';
import { RemoteError } from '../../src/remote/errors.js';
import type { RemoteTarget } from '../../src/remote/target.js';
import { isolated, removeTempDirs, startSshd, tempDir, type Sshd } from './helpers/sshd.js';

let sshd: Sshd;
const hosts: RemoteHost[] = [];

test.before(async () => {
  sshd = await startSshd();
});
test.after.always(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await sshd?.stop();
  removeTempDirs();
});

function open(): RemoteHost {
  const t: RemoteTarget = {
    host: 'node1',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    privateKeyPath: sshd.clientKey.path,
    knownHostsPath: path.join(tempDir('state'), 'known_hosts'),
  };
  const h = new RemoteHost(t, isolated(tempDir('home')));
  hosts.push(h);
  return h;
}

// sshd runs on this machine, so the "remote" files are local files we can inspect directly.
const dirOf = () => tempDir('target');

test('temp names sit beside the target and are recognisable', (t) => {
  const tmp = tempPathFor('/etc/systemd/system/kubelet.service');
  t.is(path.posix.dirname(tmp), '/etc/systemd/system');
  t.true(isLabsmithTemp(path.posix.basename(tmp)));
  t.false(isLabsmithTemp('kubelet.service'));
  t.false(isLabsmithTemp('.kubelet.service.labsmith.bak'));
});

test('writes content and mode, owner by name and by id, and no backup of a file that was not there', async (t) => {
  const dir = dirOf();
  const h = open();
  const target = path.join(dir, 'kubelet.service');
  const r = await h.writeFileAtomic(target, '[Unit]\nDescription=kubelet\n', { mode: 0o640, owner: 'nobody', group: 'nogroup', backup: true });
  t.is(r.backupPath, undefined);
  t.is(fs.readFileSync(target, 'utf8'), '[Unit]\nDescription=kubelet\n');
  const st = fs.statSync(target);
  t.is(st.mode & 0o7777, 0o640);
  t.is(st.uid, 65534);
  t.is(st.gid, 65534);
  await h.writeFileAtomic(target, 'x', { mode: '0600', owner: 0, group: 0 });
  t.is(fs.statSync(target).uid, 0);
  t.is(fs.statSync(target).mode & 0o7777, 0o600);
  t.deepEqual(fs.readdirSync(dir), ['kubelet.service']);
  t.is(h.counters.uploads, 2);
  t.is(h.counters.bytesSent, '[Unit]\nDescription=kubelet\n'.length + 1);
  t.is(h.counters.commands, 1, 'one command resolved nobody/nogroup');
  t.is(h.counters.connections, 1);
});

test('keeps the replaced file as .labsmith.bak', async (t) => {
  const dir = dirOf();
  const h = open();
  const target = path.join(dir, 'docker');
  fs.writeFileSync(target, 'OPTIONS=old\n', { mode: 0o644 });
  const r = await h.writeFileAtomic(target, 'OPTIONS=new\n', { mode: 0o644, backup: true });
  t.is(r.backupPath, `${target}.labsmith.bak`);
  t.is(fs.readFileSync(target, 'utf8'), 'OPTIONS=new\n');
  t.is(fs.readFileSync(`${target}.labsmith.bak`, 'utf8'), 'OPTIONS=old\n');
  await h.writeFileAtomic(target, 'OPTIONS=newer\n', { mode: 0o644, backup: true });
  t.is(fs.readFileSync(`${target}.labsmith.bak`, 'utf8'), 'OPTIONS=new\n');
  await h.writeFileAtomic(target, 'OPTIONS=newest\n', { mode: 0o644 });
  t.is(fs.readFileSync(`${target}.labsmith.bak`, 'utf8'), 'OPTIONS=new\n', 'no backup unless asked');
});

test('makeDirs creates missing parents; without it the error names the path', async (t) => {
  const dir = dirOf();
  const h = open();
  const deep = path.join(dir, 'opt', 'kubernetes', 'bin', 'env');
  const err = await t.throwsAsync(h.writeFileAtomic(deep, 'A=1\n', { mode: 0o644 }), { instanceOf: RemoteError });
  t.is(err!.kind, 'command');
  t.true(err!.message.includes(deep));
  await h.writeFileAtomic(deep, 'A=1\n', { mode: 0o644, makeDirs: true });
  t.is(fs.readFileSync(deep, 'utf8'), 'A=1\n');
});

test('an upload killed at any point leaves the old file or the new one, never a mix; cleanupTemps removes the leftovers', async (t) => {
  const dir = dirOf();
  const target = path.join(dir, 'big.bin');
  const old = Buffer.from('old content\n');
  const fresh = randomBytes(16 * 1024 * 1024);
  fs.writeFileSync(target, old);
  // Kill early, in the middle, and after the last byte went out (fsync/close/rename window).
  for (const killAt of [64 * 1024, 8 * 1024 * 1024, fresh.length]) {
    fs.writeFileSync(target, old);
    const h = open();
    await h.connect();
    const upload = h.writeFileAtomic(target, fresh, { mode: 0o644, backup: true });
    await new Promise<void>((resolve) => {
      const poll = () => {
        if (h.counters.bytesSent >= killAt) {
          h.destroy();
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });
    const outcome = await upload.then(
      () => 'finished',
      (err: RemoteError) => err.kind,
    );
    t.true(outcome === 'connect' || (outcome === 'finished' && killAt === fresh.length), `kill at ${killAt}: ${outcome}`);
    const now = fs.readFileSync(target);
    t.true(now.equals(old) || now.equals(fresh), `kill at ${killAt}: target is ${now.length} bytes, neither old nor new`);
    if (killAt < fresh.length) t.true(now.equals(old), 'an unfinished upload never replaces the target');

    const cleaner = open();
    const leftovers = fs.readdirSync(dir).filter(isLabsmithTemp);
    if (killAt < fresh.length) t.is(leftovers.length, 1, 'the interrupted temp file is still there');
    const removed = await cleaner.cleanupTemps(dir);
    t.deepEqual(removed.sort(), leftovers.map((n) => path.join(dir, n)).sort());
    t.deepEqual(fs.readdirSync(dir).filter(isLabsmithTemp), []);
    await cleaner.close();
  }
  t.deepEqual(await open().cleanupTemps(path.join(dir, 'missing')), []);
});

test('one SFTP session is reused for many files', async (t) => {
  const dir = dirOf();
  const h = open();
  const s1 = await h.sftp();
  await Promise.all(Array.from({ length: 12 }, (_, i) => h.writeFileAtomic(path.join(dir, `f${i}`), `${i}\n`, { mode: 0o644, backup: true })));
  t.is(await h.sftp(), s1);
  t.is(fs.readdirSync(dir).length, 12);
  t.is(h.counters.commands, 0, 'plain writes need no remote command');
  t.is(h.counters.connections, 1);
});
