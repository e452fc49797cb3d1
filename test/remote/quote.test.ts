import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { shellQuote, shellQuoteArg } from '../../src/remote/quote.js';

const NASTY = [
  "'", '"', '$(id)', '`id`', ';', '&&', '||', '|', '\n', ' ', '\t', '\\', '*', '?', '~', '#', '=', '!',
  'é', '日本', '😀', '{a,b}', '$HOME', '${x:-y}', '-n', '--', '%s', '\r', '[', ']', '>', '<', '(', ')',
  '&', "'\\''", '\\n', 'a=b', '$', '$$', '$1', '\u00a0', '\u202e',
];

// Deterministic PRNG (mulberry32), so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArg(r: () => number): string {
  const n = Math.floor(r() * 6);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += r() < 0.6 ? NASTY[Math.floor(r() * NASTY.length)]! : String.fromCharCode(1 + Math.floor(r() * 126));
  }
  return s;
}

/** Run `printf '%s\0' ARGS` through a real shell and split the output back into arguments. */
function roundTrip(shell: string, args: string[]): string[] {
  const out = execFileSync(shell, ['-c', shellQuote(['printf', '%s\\0', ...args])], { encoding: 'utf8' });
  const parts = out.split('\0');
  parts.pop();
  return parts;
}

const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => fs.existsSync(s));

test('safe words stay bare, everything else is single-quoted', (t) => {
  t.is(shellQuoteArg('/etc/systemd/system/kubelet.service'), '/etc/systemd/system/kubelet.service');
  t.is(shellQuoteArg('10.10.0.0/16'), '10.10.0.0/16');
  t.is(shellQuoteArg(''), "''");
  t.is(shellQuoteArg("it's"), `'it'\\''s'`);
  t.is(shellQuoteArg('a=b'), "'a=b'"); // would be an assignment as the first word
  t.is(shellQuoteArg('~root'), "'~root'");
  t.is(shellQuote(['ip', 'route', 'replace', '10.10.20.0/24', 'via', '10.20.30.62']), 'ip route replace 10.10.20.0/24 via 10.20.30.62');
});

test('NUL cannot be passed and says so', (t) => {
  t.throws(() => shellQuoteArg('a\0b'), { message: /NUL/ });
  t.throws(() => shellQuote([]), { message: /empty/ });
});

test('the first word is never an assignment or a keyword', (t) => {
  const out = execFileSync('/bin/sh', ['-c', `${shellQuote(['FOO=bar'])} 2>&1 || true`], { encoding: 'utf8' });
  t.regex(out, /not found/);
});

for (const shell of shells) {
  test(`nasty strings round-trip exactly through ${shell}`, (t) => {
    t.deepEqual(roundTrip(shell, NASTY), NASTY);
    t.deepEqual(roundTrip(shell, ['', 'x', '']), ['', 'x', '']);
  });

  test(`random arguments round-trip exactly through ${shell} (seeded)`, (t) => {
    const r = rng(0x1abc);
    for (let i = 0; i < 60; i++) {
      const args = Array.from({ length: 1 + Math.floor(r() * 8) }, () => randomArg(r));
      t.deepEqual(roundTrip(shell, args), args, `case ${i}: ${JSON.stringify(args)}`);
    }
  });
}

test('a command substitution in a value is not run', (t) => {
  const marker = `/tmp/labsmith-quote-${process.pid}`;
  const out = roundTrip('/bin/sh', [`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`]);
  t.is(out.length, 3);
  t.false(fs.existsSync(marker));
});
