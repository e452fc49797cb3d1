import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { RemoteHost, type RemoteOptions } from '../../src/remote/connection.js';
import { RemoteError } from '../../src/remote/errors.js';
import type { RemoteEvent } from '../../src/remote/events.js';
import { fingerprintSha256 } from '../../src/remote/known-hosts.js';
import type { RemoteTarget } from '../../src/remote/target.js';
import { isolated, makeKey, removeTempDirs, sshKeygenFingerprint, startSshd, tempDir, type Sshd } from './helpers/sshd.js';

const run = promisify(execFile);
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

function target(over: Partial<RemoteTarget> = {}): RemoteTarget {
  return {
    host: 'node1',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    privateKeyPath: sshd.clientKey.path,
    knownHostsPath: path.join(tempDir('state'), 'known_hosts'),
    ...over,
  };
}

function open(t: RemoteTarget, opts: RemoteOptions = {}): RemoteHost {
  const h = new RemoteHost(t, { ...isolated(tempDir('home')), ...opts });
  hosts.push(h);
  return h;
}

async function rejection(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RemoteError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const NASTY = ["it's", '"q"', '$(touch /tmp/labsmith-pwned)', '`id`', 'a;b', 'x && y', 'new\nline', '  spaces  ', 'é日本😀', '', '*', '$HOME', '\\', '-n', 'a=b'];

test('exec: nasty arguments arrive exactly, one connection, counted', async (t) => {
  const h = open(target());
  const r = await h.exec(['printf', '%s\\0', ...NASTY]);
  t.is(r.code, 0);
  const parts = r.stdout.toString('utf8').split('\0');
  parts.pop();
  t.deepEqual(parts, NASTY);
  t.false(fs.existsSync('/tmp/labsmith-pwned'));
  await h.exec(['true']);
  t.is(h.counters.connections, 1);
  t.is(h.counters.commands, 2);
  t.true(h.counters.bytesReceived > 0);
});

test('exec: stdin, exit codes, stderr, signals', async (t) => {
  const h = open(target());
  const data = Buffer.from('line one\n\0binary\xff\nlast');
  const cat = await h.exec(['cat'], { stdin: data });
  t.deepEqual(cat.stdout, data);
  t.is(h.counters.bytesSent, data.length);
  const fail = await h.exec(['sh', '-c', 'echo oops >&2; exit 3']);
  t.is(fail.code, 3);
  t.is(fail.stderr.toString(), 'oops\n');
  const killed = await h.exec(['sh', '-c', 'kill -TERM $$']);
  t.is(killed.code, null);
  t.is(killed.signal, 'SIGTERM');
  const noStdin = await h.exec(['cat']); // stdin is closed, so cat ends at once
  t.is(noStdin.stdout.length, 0);
});

test('exec: a per-command timeout stops the command and the connection stays usable', async (t) => {
  const h = open(target());
  await h.connect();
  const started = Date.now();
  const err = await rejection(h.exec(['sleep', '5'], { timeoutMs: 300 }));
  t.is(err.kind, 'timeout');
  t.is(err.host, 'node1');
  t.regex(err.message, /300 ms.*sleep 5/);
  t.true(Date.now() - started < 4_500, 'did not wait for sleep 5');
  t.is((await h.exec(['echo', 'still here'])).stdout.toString(), 'still here\n');
});

test('exec: channels stay under MaxSessions (20 at once on one connection)', async (t) => {
  const h = open(target());
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.exec(['sh', '-c', 'sleep 0.1; echo $1', 'x', String(i)])));
  t.deepEqual(results.map((r) => r.stdout.toString().trim()), Array.from({ length: 20 }, (_, i) => String(i)));
  t.is(h.counters.connections, 1);
});

test('first contact records the host key and says so; the second run is quiet', async (t) => {
  const events: RemoteEvent[] = [];
  const tgt = target();
  const h = open(tgt, { onEvent: (e) => events.push(e) });
  await h.connect();
  const rec = events.find((e) => e.kind === 'hostkey-recorded');
  if (!rec || rec.kind !== 'hostkey-recorded') return t.fail('no hostkey-recorded event');
  t.is(rec.fingerprint, await sshKeygenFingerprint(`${sshd.hostKey.path}.pub`));
  t.is(rec.hostKeyName, `[127.0.0.1]:${sshd.port}`);
  t.is(rec.knownHostsPath, tgt.knownHostsPath);
  t.true(fs.readFileSync(tgt.knownHostsPath, 'utf8').includes(sshd.hostKey.blob.toString('base64')));
  await h.close();

  const again: RemoteEvent[] = [];
  const h2 = open(tgt, { onEvent: (e) => again.push(e) });
  await h2.connect();
  t.false(again.some((e) => e.kind.startsWith('hostkey')));
  t.is(fs.readFileSync(tgt.knownHostsPath, 'utf8').trim().split('\n').length, 1);
});

test('a changed host key is refused before authentication', async (t) => {
  const own = await startSshd(); // its own log, so nothing else authenticates there
  try {
    const dir = tempDir('changed');
    const impostor = await makeKey(dir, 'old_host_key');
    const knownHostsPath = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsPath, `[127.0.0.1]:${own.port} ssh-ed25519 ${impostor.blob.toString('base64')}\n`);
    const tgt = target({ port: own.port, privateKeyPath: own.clientKey.path, knownHostsPath });
    const h = open(tgt);
    const err = await rejection(h.exec(['true']));
    t.is(err.kind, 'hostkey');
    for (const s of [fingerprintSha256(impostor.blob), fingerprintSha256(own.hostKey.blob), knownHostsPath, '--accept-new-host-key node1']) {
      t.true(err.message.includes(s), `names ${s}: ${err.message}`);
    }
    t.is(h.counters.authAttempts, 0, 'no credential was offered');
    t.is(h.counters.commands, 0);
    await new Promise((r) => setTimeout(r, 200));
    t.notRegex(own.log(), /publickey|Accepted key|userauth/i, 'sshd saw no authentication');
    t.is(fs.readFileSync(knownHostsPath, 'utf8').split('\n').length, 2, 'known_hosts untouched');

    // Accepting deliberately replaces the key; now sshd does see (and accept) the login.
    const events: RemoteEvent[] = [];
    const h2 = open(tgt, { acceptChangedHostKeys: ['node1'], onEvent: (e) => events.push(e) });
    await h2.connect();
    t.true(events.some((e) => e.kind === 'hostkey-replaced'));
    await new Promise((r) => setTimeout(r, 100));
    t.regex(own.log(), /Accepted publickey for root/);
  } finally {
    await own.stop();
  }
});

test('an unknown host key with recording off is refused', async (t) => {
  const h = open(target({ acceptNewHostKey: false }));
  const err = await rejection(h.connect());
  t.is(err.kind, 'hostkey');
  t.regex(err.message, /not known/);
  t.is(h.counters.authAttempts, 0);
});

test('a passphrase-protected key: clear message without it, works with LABSMITH_SSH_PASSPHRASE', async (t) => {
  const dir = tempDir('pass');
  const secret = 'correct horse battery';
  const key = await makeKey(dir, 'enc', secret);
  sshd.authorize(key.pubLine);
  const tgt = target({ privateKeyPath: key.path });
  const err = await rejection(open(tgt).connect());
  t.is(err.kind, 'auth');
  t.regex(err.message, /passphrase-protected/);
  t.regex(err.message, /LABSMITH_SSH_PASSPHRASE/);
  t.true(err.message.includes(key.path));
  t.regex(err.message, /SSH_AUTH_SOCK is not set/);

  const wrong = await rejection(open(tgt, { env: { LABSMITH_SSH_PASSPHRASE: 'nope' } }).connect());
  t.regex(wrong.message, /does not decrypt/);
  t.false(wrong.message.includes('nope'));

  const h = open(tgt, { env: { LABSMITH_SSH_PASSPHRASE: secret } });
  t.is((await h.exec(['echo', 'ok'])).stdout.toString(), 'ok\n');
  t.false(JSON.stringify(h.counters).includes(secret));
});

test('no usable credentials: the message names everything that was tried', async (t) => {
  const h = open(target({ privateKeyPath: '/nonexistent/key' }), { env: { SSH_AUTH_SOCK: '/nonexistent/agent.sock' } });
  const err = await rejection(h.connect());
  t.is(err.kind, 'auth');
  t.regex(err.message, /identityFile \/nonexistent\/key: not found/);
  t.regex(err.message, /SSH_AUTH_SOCK=\/nonexistent\/agent\.sock is not a socket/);
  t.regex(err.message, /default keys/);
  t.is(h.counters.connections, 0);
});

test('a key the server does not accept: auth error naming what was offered', async (t) => {
  const key = await makeKey(tempDir('stranger'), 'stranger');
  const err = await rejection(open(target({ privateKeyPath: key.path })).connect());
  t.is(err.kind, 'auth');
  t.regex(err.message, /refused authentication as root; offered: identityFile .*stranger/);
});

test('ssh-agent: used when SSH_AUTH_SOCK points at one', async (t) => {
  const dir = tempDir('agent');
  const sock = path.join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    await run('ssh-add', ['-q', sshd.clientKey.path], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    const events: RemoteEvent[] = [];
    const h = open(target({ privateKeyPath: undefined }), { env: { SSH_AUTH_SOCK: sock }, onEvent: (e) => events.push(e) });
    t.is((await h.exec(['whoami'])).stdout.toString(), 'root\n');
    const connected = events.find((e) => e.kind === 'connected');
    t.regex(connected && connected.kind === 'connected' ? connected.auth : '', /ssh-agent/);
    await h.close();
  } finally {
    agent.kill('SIGTERM');
  }
});

test('proxyCommand: SSH over a spawned program (no shell), killed on close', async (t) => {
  const dir = tempDir('proxy');
  const pidFile = path.join(dir, 'proxy.pid');
  const pipe = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
const s = require('net').connect(${sshd.port}, '127.0.0.1');
process.stdin.pipe(s); s.pipe(process.stdout); s.on('close', () => process.exit(0));`;
  const events: RemoteEvent[] = [];
  // The address is only a name here: the proxy decides where the bytes go.
  const h = open(target({ address: '10.20.30.61', port: 22, proxyCommand: [process.execPath, '-e', pipe] }), { onEvent: (e) => events.push(e) });
  t.is((await h.exec(['echo', 'via proxy'])).stdout.toString(), 'via proxy\n');
  t.true(events.some((e) => e.kind === 'connected' && e.via === 'proxy-command'));
  const rec = events.find((e) => e.kind === 'hostkey-recorded');
  t.is(rec && rec.kind === 'hostkey-recorded' ? rec.hostKeyName : '', '10.20.30.61');
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  await h.close();
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 20));
    } catch {
      alive = false;
    }
  }
  t.false(alive, 'proxy process is gone after close');
});

test('a reply, its output, exit status and close arriving in one read are all seen', async (t) => {
  // The proxy holds the server's bytes and releases them in batches, so ssh2 parses the exec
  // reply, the data, exit-status and CHANNEL_CLOSE in one go (as happens on a loaded machine).
  const batching = `const s = require('net').connect(${sshd.port}, '127.0.0.1');
process.stdin.pipe(s); let buf = [];
s.on('data', (d) => buf.push(d));
setInterval(() => { if (buf.length) { process.stdout.write(Buffer.concat(buf)); buf = []; } }, 150);
s.on('close', () => process.exit(0));`;
  const h = open(target({ proxyCommand: [process.execPath, '-e', batching] }));
  for (let i = 0; i < 3; i++) {
    const r = await h.exec(['sh', '-c', 'echo out; echo err >&2; exit 4']);
    t.is(r.code, 4);
    t.is(r.stdout.toString(), 'out\n');
    t.is(r.stderr.toString(), 'err\n');
  }
});

test('proxyCommand that fails: connect error with its stderr', async (t) => {
  const h = open(target({ proxyCommand: [process.execPath, '-e', 'console.error("no route to lab"); process.exit(7)'] }));
  const err = await rejection(h.connect());
  t.is(err.kind, 'connect');
  t.regex(err.message, /no route to lab/);
});

test('~/.ssh/config: User, IdentityFile and ProxyJump through a bastion', async (t) => {
  const home = tempDir('home');
  fs.mkdirSync(path.join(home, '.ssh'));
  const config = path.join(home, '.ssh', 'config');
  fs.writeFileSync(
    config,
    `Host bastion\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.clientKey.path}\n\nHost inner*\n  ProxyJump bastion\n  IdentityFile ${sshd.clientKey.path}\n\nHost *\n  User root\n`,
  );
  const events: RemoteEvent[] = [];
  const tgt: RemoteTarget = { host: 'inner1', address: '127.0.0.1', port: sshd.port, knownHostsPath: path.join(tempDir('state'), 'known_hosts') };
  const h = open(tgt, { sshConfigPath: config, homeDir: home, onEvent: (e) => events.push(e) });
  t.is((await h.exec(['sh', '-c', 'echo $SSH_CONNECTION'])).code, 0);
  t.is(h.counters.connections, 1);
  t.is(h.counters.jumpConnections, 1);
  t.true(events.some((e) => e.kind === 'connected' && e.via === 'proxy-jump'));
  t.true(events.some((e) => e.kind === 'hostkey-recorded' && e.host === 'jump host bastion'));
  await h.close();
});

test('~/.ssh/config ProxyCommand: run by sh with %h and %p quoted', async (t) => {
  const home = tempDir('home');
  fs.mkdirSync(path.join(home, '.ssh'));
  const script = path.join(home, 'proxy.cjs');
  fs.writeFileSync(
    script,
    `const [h, p] = process.argv.slice(2); const s = require('net').connect(Number(p), h);
process.stdin.pipe(s); s.pipe(process.stdout); s.on('close', () => process.exit(0));`,
  );
  const config = path.join(home, '.ssh', 'config');
  fs.writeFileSync(config, `Host viacmd\n  ProxyCommand ${process.execPath} ${script} %h %p\n`);
  const events: RemoteEvent[] = [];
  const h = open(target({ host: 'viacmd' }), { sshConfigPath: config, homeDir: home, onEvent: (e) => events.push(e) });
  t.is((await h.exec(['echo', 'ok'])).stdout.toString(), 'ok\n');
  t.true(events.some((e) => e.kind === 'connected' && e.via === 'proxy-command'));
});

test('a lost connection fails the running command with kind connect, and later calls too', async (t) => {
  const h = open(target());
  await h.connect();
  const p = h.exec(['sleep', '5']);
  setTimeout(() => h.destroy(), 100);
  const err = await rejection(p);
  t.is(err.kind, 'connect');
  t.is((await rejection(h.exec(['true']))).kind, 'connect');
});
