// How a list of diagnostics reads: cut at 20, what was left out, a count of every error.
import test from 'ava';
import { formatReport, LabInputError, type Diagnostic } from '../../src/lab/diagnostics.js';

const diag = (line: number, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({ file: 'lab.yaml', line, col: 1, severity, field: 'x', message: `problem ${line}` });

test('twenty or fewer are shown whole, with a count that agrees in number', (t) => {
  t.deepEqual(formatReport([diag(1)]), ['lab.yaml:1:1: error: x: problem 1', '1 error']);
  const twenty = formatReport(Array.from({ length: 20 }, (_, i) => diag(i + 1)));
  t.is(twenty.length, 21);
  t.is(twenty.at(-1), '20 errors');
});

test('beyond twenty, the rest are counted by kind', (t) => {
  const list = [...Array.from({ length: 22 }, (_, i) => diag(i + 1)), diag(23, 'warning')];
  const lines = formatReport(list);
  t.is(lines.length, 22);
  t.is(lines[19], 'lab.yaml:20:1: error: x: problem 20');
  t.is(lines[20], '... and 2 more errors and 1 more warning');
  t.is(lines[21], '22 errors');
  t.deepEqual(formatReport([...Array.from({ length: 20 }, (_, i) => diag(i + 1)), diag(21)]).slice(-2), ['... and 1 more error', '21 errors']);
});

test('the error message of a LabInputError is capped the same way', (t) => {
  const err = new LabInputError(Array.from({ length: 46 }, (_, i) => diag(i + 1)));
  const lines = err.message.split('\n');
  t.is(lines.length, 22);
  t.deepEqual(lines.slice(-2), ['... and 26 more errors', '46 errors']);
});
