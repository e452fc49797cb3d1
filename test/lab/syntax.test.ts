// One test per kind of bad input the loader and shape check must explain: each asserts
// the line, the column where it matters, and the message.
import test from 'ava';
import { edit, errorsOf, K101 } from '../helpers/lab-text.js';

test('tab indentation names the line and says to use spaces', (t) => {
  const errors = errorsOf('name: x\nkubernetes:\n\tversion: legacy\n');
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^lab\.yaml:3:1: error: YAML syntax: Tabs are not allowed.*indent with spaces, not tabs/);
});

test('bad indentation is a syntax error at its line', (t) => {
  const errors = errorsOf('name: x\nkubernetes:\n  version: legacy\n   serviceRange: 10.100.0.0/16\n');
  t.true(errors.length >= 1);
  t.regex(errors[0]!, /^lab\.yaml:3:\d+: error: YAML syntax: /);
});

test('a duplicate key is refused with its line', (t) => {
  const errors = errorsOf(edit(K101, 'name: kubernetes-101\n', 'name: kubernetes-101\nname: again\n'));
  t.deepEqual(errors, ['lab.yaml:5:1: error: YAML syntax: Map keys must be unique; each key may appear once in a mapping; remove or rename one']);
});

test('an empty file, and a file of only comments, are empty', (t) => {
  t.deepEqual(errorsOf(''), ['lab.yaml:1:1: error: the lab file is empty; start from lab/kubernetes-101.lab.yaml']);
  t.deepEqual(errorsOf('# nothing here\n'), ['lab.yaml:1:1: error: the lab file is empty; start from lab/kubernetes-101.lab.yaml']);
});

test('a document that is not a mapping says what it is', (t) => {
  t.regex(errorsOf('- a\n- b\n')[0]!, /^lab\.yaml:1:1: error: the document is a list, not a mapping/);
  t.regex(errorsOf('just a string\n')[0]!, /^lab\.yaml:1:1: error: the document is a single value, not a mapping/);
});

test('a misspelt key gets "did you mean" at the key itself', (t) => {
  const errors = errorsOf(edit(K101, 'podCidr: 10.10.20.0/24', 'podCdir: 10.10.20.0/24'));
  t.deepEqual(errors, ['lab.yaml:23:61: error: nodes[2].podCdir: unknown key; did you mean podCidr?']);
});

test('an unknown key far from any known one lists the allowed keys', (t) => {
  const errors = errorsOf(edit(K101, 'router:\n', 'router:\n  colour: blue\n'));
  t.deepEqual(errors, ['lab.yaml:17:3: error: router.colour: unknown key; expected one of name, platform, address']);
});

test('wrong types name the field, the expected type and what was found', (t) => {
  const errors = errorsOf(edit(K101, 'apiserverPort: 8080', 'apiserverPort: "http"'));
  t.deepEqual(errors, ['lab.yaml:10:18: error: kubernetes.apiserverPort: must be a number, not the string "http"']);
  const list = errorsOf(edit(K101, 'segments:\n', 'segments: 3\nx:\n').replace(/^x:\n(  - .*\n)+/m, ''));
  t.deepEqual(list, ['lab.yaml:13:11: error: segments: must be a list, not the number 3']);
});

test('a bad enum value lists the choices and guesses the closest', (t) => {
  const errors = errorsOf(edit(K101, 'role: minion, address: 10.20.30.63', 'role: minon, address: 10.20.30.63'));
  t.deepEqual(errors, ['lab.yaml:23:31: error: nodes[2].role: must be one of master, minion, node, worker; did you mean minion?']);
});

test('missing fields are reported at their parent with what to add', (t) => {
  const text = edit(edit(K101, 'name: kubernetes-101\n', ''), '  address: 10.20.30.1\n', '');
  t.deepEqual(errorsOf(text), [
    'lab.yaml:4:1: error: name: is required; add name: <a string>',
    'lab.yaml:16:3: error: router.address: is required; add address: <a string>',
  ]);
});

test('all shape errors of the file are reported together, in file order', (t) => {
  let text = edit(K101, 'replicas: 4', 'replicas: -1');
  text = edit(text, 'port: 80,', 'port: 70000,');
  text = edit(text, 'name: kubminion3', 'name: kub_minion3');
  const errors = errorsOf(text);
  t.is(errors.length, 3);
  t.regex(errors[0]!, /^lab\.yaml:24:13: error: nodes\[3\]\.name: must be a DNS label/);
  t.is(errors[1], 'lab.yaml:27:58: error: services[0].port: must be a port from 1 to 65535');
  t.is(errors[2], 'lab.yaml:29:41: error: workloads[0].replicas: must be 0 or more');
});

test('a name a shell would interpret is not a DNS label', (t) => {
  const errors = errorsOf(edit(K101, 'name: kubminion1', 'name: "k1;rm -rf /"'));
  t.regex(errors[0]!, /nodes\[1\]\.name: must be a DNS label/);
});
