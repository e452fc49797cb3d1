// The remote scripts: constant shell text that parses, Python that compiles, and the prober
// run for real against loopback (the only address these unit tests touch).
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import path from 'node:path';
import { parseProbeOutput } from '../../src/verify/parse.js';
import { CLEANUP_SCRIPT, NODE_FACTS_SCRIPT, NODE_PREPARE_SCRIPT, nodePrepareArgv, PROBE_SCRIPT, probeArgv, pythonSource, routerFactsScript } from '../../src/verify/scripts.js';
import { ROOT } from '../helpers/paths.js';
import { runTool } from '../helpers/tools.js';

test('every shell script parses with dash and bash', (t) => {
  for (const [name, script] of Object.entries({ NODE_PREPARE_SCRIPT, NODE_FACTS_SCRIPT, PROBE_SCRIPT, CLEANUP_SCRIPT, frr: routerFactsScript('frr'), linux: routerFactsScript('linux') })) {
    for (const sh of ['dash', 'bash']) {
      const r = runTool(sh, ['-n', '-c', script], sh);
      t.is(r.code, 0, `${name} with ${sh}: ${r.stderr}`);
    }
  }
});

test('the Python programs compile', (t) => {
  for (const name of ['listener', 'prober'] as const) {
    const file = path.join(ROOT, 'scripts/verify', `${name}.py`);
    const r = runTool('python3', ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', file], 'python3');
    t.is(r.code, 0, r.stderr);
    t.true(pythonSource(name).length > 1000);
  }
});

test('lab values travel as arguments after the constant script', (t) => {
  const argv = nodePrepareArgv([{ netns: 'lsmpod-a b', veth: 'lsmv1', address: '10.0.0.2/24', gateway: '10.0.0.1' }], [{ netns: 'lsmpod-a b', port: 4244 }]);
  t.deepEqual(argv.slice(0, 4), ['sh', '-c', NODE_PREPARE_SCRIPT, 'labsmith-verify']);
  t.deepEqual(argv.slice(6), ['1', 'lsmpod-a b', 'lsmv1', '10.0.0.2/24', '10.0.0.1', 'lsmpod-a b', '4244']);
  const probe = probeArgv([{ kind: 'tcp', netns: '-', dst: '10.0.0.2', port: 4244 }]);
  t.deepEqual(probe.slice(0, 4), ['sh', '-c', PROBE_SCRIPT, 'labsmith-verify']);
  t.deepEqual(probe.slice(5), ['1000', '3000', 'tcp', '-', '10.0.0.2', '4244']);
});

test('the prober on loopback: an answer, an echo, a refusal, a missing pod namespace', async (t) => {
  const server = net.createServer((s) => s.end(`${s.remoteAddress}\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const argv = probeArgv([
      { kind: 'tcp', netns: '-', dst: '127.0.0.1', port },
      { kind: 'icmp', netns: '-', dst: '127.0.0.1', port: 0 },
      { kind: 'tcp', netns: '-', dst: '127.0.0.1', port: closedPort },
      { kind: 'tcp', netns: 'lsmpod-labsmith-test-no-such-pod', dst: '127.0.0.1', port },
    ]);
    // Run it as a node would: sh -c SCRIPT NAME ARGS...
    // Run it as a node would (sh -c SCRIPT NAME ARGS...), without blocking the server above.
    const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    const out = parseProbeOutput(stdout);
    t.true(out.complete);
    t.like(out.results.get(0), { ok: true, answer: '127.0.0.1' });
    t.like(out.results.get(1), { ok: true });
    t.like(out.results.get(2), { ok: false, reason: 'refused' });
    t.deepEqual(out.results.get(3), { ok: false, reason: 'nons', detail: 'lsmpod-labsmith-test-no-such-pod' });
  } finally {
    server.close();
  }
});
