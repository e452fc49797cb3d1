import anyTest from 'ava';

// Serial: the hung-listener bookkeeping is shared between tests.
const test = anyTest.serial;
import net from 'node:net';
import path from 'node:path';
import { RemoteError } from '../../src/remote/errors.js';
import { connectAll, forEachHost } from '../../src/remote/pool.js';
import type { RemoteTarget } from '../../src/remote/target.js';
import { freePort, isolated, removeTempDirs, startSshd, tempDir, type Sshd } from './helpers/sshd.js';

let sshd: Sshd;
let hang: net.Server;
let hangPort: number;
let downPort: number;
const hanging = new Set<net.Socket>();

anyTest.before(async () => {
  sshd = await startSshd();
  // A host that accepts TCP and then never says a word.
  hang = net.createServer((s) => {
    hanging.add(s);
    s.resume(); // read (and drop) what the client says, so its FIN is seen
    s.on('close', () => hanging.delete(s));
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  hangPort = (hang.address() as net.AddressInfo).port;
  downPort = await freePort(); // nothing listens here
});
anyTest.after.always(async () => {
  for (const s of hanging) s.destroy();
  await new Promise<void>((r) => (hang ? hang.close(() => r()) : r()));
  await sshd?.stop();
  removeTempDirs();
});

function targets(): RemoteTarget[] {
  const knownHostsPath = path.join(tempDir('state'), 'known_hosts');
  const base = { address: '127.0.0.1', user: 'root', privateKeyPath: sshd.clientKey.path, knownHostsPath };
  return [
    { ...base, host: 'up1', port: sshd.port },
    { ...base, host: 'down', port: downPort },
    { ...base, host: 'hangs', port: hangPort },
    { ...base, host: 'up2', port: sshd.port },
  ];
}

const READY_MS = 800;

test('a host that is down or hangs fails alone, typed; the others finish', async (t) => {
  const started = Date.now();
  const outcomes = await forEachHost(targets(), async (h) => (await h.exec(['echo', h.name])).stdout.toString().trim(), {
    ...isolated(tempDir('home')),
    readyTimeoutMs: READY_MS,
    concurrency: 2,
  });
  const elapsed = Date.now() - started;
  t.deepEqual(outcomes.map((o) => o.host), ['up1', 'down', 'hangs', 'up2']);
  const [up1, down, hangs, up2] = outcomes;
  t.deepEqual(up1!.ok && up1!.value, 'up1');
  t.deepEqual(up2!.ok && up2!.value, 'up2');
  if (down!.ok || hangs!.ok) return t.fail('down and hangs must fail');
  t.is(down!.error.kind, 'connect');
  t.is(down!.error.host, 'down');
  t.regex(down!.error.message, new RegExp(`127\\.0\\.0\\.1:${downPort}.*ECONNREFUSED`));
  t.is(hangs!.error.kind, 'timeout');
  t.regex(hangs!.error.message, new RegExp(`${READY_MS} ms`));
  t.true(elapsed < READY_MS + 3_000, `took ${elapsed} ms`);
  t.is(up1!.counters.connections, 1);
  t.is(up1!.counters.commands, 1);
  for (let i = 0; i < 50 && hanging.size; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(hanging.size, 0, 'the hung connection was closed');
});

test('a failing function fails its host with kind command; RemoteErrors pass through', async (t) => {
  const [up1, , , up2] = targets();
  const outcomes = await forEachHost(
    [up1!, up2!],
    async (h) => {
      if (h.name === 'up1') throw new Error('render missing for up1');
      return h.exec(['sleep', '2'], { timeoutMs: 100 });
    },
    isolated(tempDir('home')),
  );
  const [a, b] = outcomes;
  if (a!.ok || b!.ok) return t.fail('both must fail');
  t.is(a!.error.kind, 'command');
  t.is(a!.error.message, 'render missing for up1');
  t.true(b!.error instanceof RemoteError);
  t.is(b!.error.kind, 'timeout');
});

test('connectAll keeps good connections open and lists the failures', async (t) => {
  const pool = await connectAll(targets(), { ...isolated(tempDir('home')), readyTimeoutMs: READY_MS });
  try {
    t.deepEqual(pool.hosts.map((h) => h.name), ['up1', 'up2']);
    t.deepEqual(pool.failed.map((e) => [e.host, e.kind]), [['down', 'connect'], ['hangs', 'timeout']]);
    t.is((await pool.byName('up2')!.exec(['echo', 'hi'])).stdout.toString(), 'hi\n');
  } finally {
    await pool.closeAll();
  }
});

test('duplicate host names are a programming error', async (t) => {
  const [up1] = targets();
  await t.throwsAsync(forEachHost([up1!, up1!], async () => 1), { message: /duplicate host name up1/ });
});
