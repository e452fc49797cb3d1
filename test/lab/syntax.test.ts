// One test per kind of bad input the loader and shape check must explain: each asserts
// the line, the column where it matters, and the message.
import test from 'ava';
import { edit, errorsOf, K101, readOk } from '../helpers/lab-text.js';

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

const DUP_HINT = 'each key may appear once in a mapping; remove or rename one';

test('a duplicate key is named, with the line of its first occurrence', (t) => {
  const errors = errorsOf(edit(K101, 'name: kubernetes-101\n', 'name: kubernetes-101\nname: again\n'));
  t.deepEqual(errors, [`lab.yaml:5:1: error: name: duplicate key "name" (first at line 4); ${DUP_HINT}`]);
});

test('a duplicate key nested anywhere is named with its field', (t) => {
  // In a block mapping under a mapping.
  t.deepEqual(errorsOf(edit(K101, '  etcdPort: 4001\n', '  etcdPort: 4001\n  apiserverPort: 6443\n')), [
    `lab.yaml:12:3: error: kubernetes.apiserverPort: duplicate key "apiserverPort" (first at line 10); ${DUP_HINT}`,
  ]);
  // In a flow mapping inside a list: the first one is on the same line, so the column is given.
  t.deepEqual(errorsOf(edit(K101, 'podCidr: 10.10.20.0/24 }', 'podCidr: 10.10.20.0/24, podCidr: 10.10.21.0/24 }')), [
    `lab.yaml:23:85: error: nodes[2].podCidr: duplicate key "podCidr" (first at line 23, column 61); ${DUP_HINT}`,
  ]);
  // In a block mapping inside a list, and two duplicates reported together.
  const block = edit(K101, '  - { name: kubminion2, role: minion, address: 10.20.30.63, podCidr: 10.10.20.0/24 }\n', '  - name: kubminion2\n    role: minion\n    name: kubminion9\n    address: 10.20.30.63\n    podCidr: 10.10.20.0/24\n    role: master\n');
  t.deepEqual(errorsOf(block), [
    `lab.yaml:25:5: error: nodes[2].name: duplicate key "name" (first at line 23); ${DUP_HINT}`,
    `lab.yaml:28:5: error: nodes[2].role: duplicate key "role" (first at line 24); ${DUP_HINT}`,
  ]);
});

test('an unquoted version YAML reads as another number is refused, saying to quote it', (t) => {
  for (const [written, read] of [['1.10', '1.1'], ['1.20', '1.2'], ['1.30', '1.3'], ['1.0', '1'], ['1.50', '1.5']] as const) {
    t.deepEqual(errorsOf(edit(K101, 'version: legacy', `version: ${written}`)), [
      `lab.yaml:7:12: error: kubernetes.version: ${written} unquoted is the YAML number ${read}, not version ${written}; quote it: version: "${written}"`,
    ]);
  }
  // Flow style, and a trailing comment, read the same source text.
  const flow = K101.replace(/^kubernetes:\n(  .*\n)+/m, 'kubernetes: { version: 1.10, serviceRange: 10.100.0.0/16, proxyMode: iptables }\n');
  t.deepEqual(errorsOf(flow), ['lab.yaml:6:24: error: kubernetes.version: 1.10 unquoted is the YAML number 1.1, not version 1.10; quote it: version: "1.10"']);
  t.deepEqual(errorsOf(edit(K101, 'version: legacy', 'version: 1.10   # the release')), [
    'lab.yaml:7:12: error: kubernetes.version: 1.10 unquoted is the YAML number 1.1, not version 1.10; quote it: version: "1.10"',
  ]);
});

test('every unquoted version is refused: versions are written quoted', (t) => {
  t.deepEqual(errorsOf(edit(K101, 'version: legacy', 'version: 1.28')), [
    'lab.yaml:7:12: error: kubernetes.version: 1.28 unquoted is a YAML number; write versions quoted (unquoted, 1.10 would be read as 1.1); quote it: version: "1.28"',
  ]);
  t.regex(errorsOf(edit(K101, 'version: legacy', 'version: 1.11'))[0]!, /1\.11 unquoted is a YAML number.*quote it: version: "1\.11"$/);
  // A number that is no version either way is just unknown, as written.
  t.deepEqual(errorsOf(edit(K101, 'version: legacy', 'version: 1.100')), ['lab.yaml:7:12: error: kubernetes.version: unknown version 1.100; write "legacy" or a release such as "1.28" (quoted)']);
  t.deepEqual(errorsOf(edit(K101, 'version: legacy', 'version: 2')), ['lab.yaml:7:12: error: kubernetes.version: unknown version 2; write "legacy" or a release such as "1.28" (quoted)']);
});

test('a quoted version, or one with a v, means what it says', (t) => {
  for (const written of ['"1.10"', "'1.10'", 'v1.10', '"v1.10"']) {
    const { lab } = readOk(edit(K101, 'version: legacy', `version: ${written}`));
    t.is(lab.kubernetes.version, '1.10', written);
    t.deepEqual(lab.kubernetes.release, [1, 10]);
  }
  t.deepEqual(readOk(edit(K101, 'version: legacy', 'version: "1.0"')).lab.kubernetes.release, [1, 0]);
  t.regex(errorsOf(edit(K101, 'version: legacy', 'version: "1.100"'))[0]!, /kubernetes\.version: unknown version "1\.100"/);
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
    'lab.yaml:4:1: error: name: missing required key "name"; add name: <a string>',
    'lab.yaml:16:3: error: router.address: missing required key "address"; add address: <a string>',
  ]);
  // A missing enum is missing, not a wrong value.
  t.deepEqual(errorsOf(edit(K101, 'role: minion, address: 10.20.30.63', 'address: 10.20.30.63')), [
    'lab.yaml:23:5: error: nodes[2].role: missing required key "role"; add role: <one of master, minion, node, worker>',
  ]);
});

test('a misspelt required key is one error: missing, with the spelling to fix, at the misspelling', (t) => {
  const cases: [string, string, string][] = [
    ['segments:\n', 'segmnets:\n', 'lab.yaml:13:1: error: segmnets: missing required key "segments"; did you mean to spell "segmnets" as "segments"?'],
    ['address: 10.20.30.62', 'adress: 10.20.30.62', 'lab.yaml:22:39: error: nodes[1].adress: missing required key "address"; did you mean to spell "adress" as "address"?'],
    ['role: minion, address: 10.20.30.63', 'rol: minion, address: 10.20.30.63', 'lab.yaml:23:25: error: nodes[2].rol: missing required key "role"; did you mean to spell "rol" as "role"?'],
    ['  platform: ios\n', '  platfrom: ios\n', 'lab.yaml:18:3: error: router.platfrom: missing required key "platform"; did you mean to spell "platfrom" as "platform"?'],
    ['  serviceRange:', '  serviceRnage:', 'lab.yaml:8:3: error: kubernetes.serviceRnage: missing required key "serviceRange"; did you mean to spell "serviceRnage" as "serviceRange"?'],
    ['gateway: 192.168.10.1 }', 'gatway: 192.168.10.1 }', 'lab.yaml:15:43: error: segments[1].gatway: missing required key "gateway"; did you mean to spell "gatway" as "gateway"?'],
    ['kubernetes:\n', 'Kubernetes:\n', 'lab.yaml:6:1: error: Kubernetes: missing required key "kubernetes"; did you mean to spell "Kubernetes" as "kubernetes"?'],
  ];
  for (const [from, to, expected] of cases) t.deepEqual(errorsOf(edit(K101, from, to)), [expected]);
  // Several at once stay one error each.
  const both = edit(edit(K101, 'segments:\n', 'segmnets:\n'), 'address: 10.20.30.62', 'adress: 10.20.30.62');
  t.deepEqual(errorsOf(both), [cases[0]![2], cases[1]![2]]);
});

test('a misspelt optional key, or a required one that is present, stays an unknown key', (t) => {
  t.deepEqual(errorsOf(edit(K101, 'name: mls\n', 'name: mls\n  nmae: mls2\n')), ['lab.yaml:18:3: error: router.nmae: unknown key; did you mean name?']);
});

test('a YAML file that is no lab says so first, in place of the missing top-level keys', (t) => {
  const compose = 'version: "3.8"\nservices:\n  web:\n    image: nginx\nvolumes:\n  data: {}\n';
  const errors = errorsOf(compose);
  t.is(errors[0], 'lab.yaml:1:1: error: this does not look like a labsmith lab file: expected keys name, kubernetes, segments, router, nodes; start from lab/kubernetes-101.lab.yaml');
  t.false(errors.some((e) => e.includes('missing required key')), errors.join('\n'));
  t.is(errors.length, 4);
  const manifest = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{ port: 80 }]\n';
  t.regex(errorsOf(manifest)[0]!, /^lab\.yaml:1:1: error: this does not look like a labsmith lab file/);
  // A lab with mistakes is still a lab.
  t.false(errorsOf('name: x\n').some((e) => e.includes('does not look like')));
  t.false(errorsOf(edit(edit(K101, 'segments:\n', 'segmnets:\n'), 'nodes:\n', 'nodse:\n')).some((e) => e.includes('does not look like')));
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
