// The command line's promises that cut across commands: one --concurrency parser and message,
// output paths checked before any work, hints that run as printed.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, exampleLab } from '../helpers/paths.js';

const run = async (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const t0 = performance.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: performance.now() - t0 };
  }
};

const K101 = exampleLab('kubernetes-101');

for (const args of [['apply', K101], ['plan', K101], ['up', K101], ['emulate', 'up', K101]]) {
  for (const bad of ['0', '-2', 'x', '1.5']) {
    test(`${args.slice(0, -1).join(' ')} --concurrency ${bad}: one message, exit 2, nothing done`, async (t) => {
      const r = await run([...args, '--concurrency', bad]);
      t.is(r.code, 2);
      t.regex(r.stderr, new RegExp(`--concurrency wants a whole number of 1 or more, not "${bad.replace('.', '\\.')}"`));
      t.notRegex(r.stderr, /internal error|\n\s+at /);
    });
  }
}

test('verify --junit into a directory that does not exist: exit 2 before any probe, naming the path', async (t) => {
  const r = await run(['verify', K101, '--emulated', '--junit', '/nonexistent/x.xml']);
  t.is(r.code, 2);
  t.regex(r.stderr, /labsmith: --junit \/nonexistent\/x\.xml: the directory \/nonexistent does not exist/);
  t.notRegex(r.stderr, /internal error|ENOENT/);
});

test('verify --junit naming a directory: exit 2, naming it', async (t) => {
  const r = await run(['verify', K101, '--junit', '/tmp']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--junit \/tmp: is a directory, not a file/);
});

test('render -o a path that is no directory: exit 2 before any work, naming it', async (t) => {
  for (const [dir, why] of [['/dev/null', /--output \/dev\/null: is not a directory/], ['/dev/null/x', /--output \/dev\/null\/x: \/dev\/null is not a directory/]] as const) {
    const r = await run(['render', K101, '-o', dir]);
    t.is(r.code, 2, dir);
    t.regex(r.stderr, why);
    t.notRegex(r.stderr, /internal error|ENOTDIR/);
  }
});
