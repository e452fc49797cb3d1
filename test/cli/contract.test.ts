// The command line's promises that cut across commands: one --concurrency parser and message,
// output paths checked before any work, hints that run as printed.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, exampleLab, ROOT } from '../helpers/paths.js';

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

test('labsmith is on PATH after the set-up (scripts/setup.sh), so hints run as printed', async (t) => {
  const r = await promisify(execFile)('sh', ['-c', 'command -v labsmith && labsmith --help']).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? 'failed' }));
  t.regex(r.stdout, /\/labsmith\n[\s\S]*Usage: labsmith/, `labsmith is not on PATH: run bash scripts/setup.sh (${r.stderr})`);
});

test('every command the README shows is one labsmith has', async (t) => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const help = (await run(['--help'])).stdout;
  const commands = new Set([...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!));
  // Commands in code: fenced blocks and the indented lines of the first section.
  const code = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n') + readme.split('\n').filter((l) => l.startsWith('    ')).join('\n');
  const shown = [...code.matchAll(/^\s*(?:bash scripts\/setup\.sh && )?(?:npx )?labsmith ([a-z]+)/gm)].map((m) => m[1]!);
  t.true(shown.length > 10);
  t.deepEqual([...new Set(shown.filter((c) => !commands.has(c)))], []);
});
