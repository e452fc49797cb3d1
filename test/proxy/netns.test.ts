// Every rendering of every example lab and of a synthetic lab per era loads into a scratch
// network namespace: the restore form (plus kube-proxy's jump commands) through
// iptables-restore, after which iptables-save prints exactly the save form; and the save form
// itself. In ipvs mode the ipsets load too and read back; ipvsadm's text is read back by
// labsmith's parser (this kernel has no IPVS to load it into).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { readLabText } from '../../src/lab/read.js';
import type { Lab } from '../../src/lab/types.js';
import { formatProgram, jumpCommand, labProxyProgram, parseIpsetSave, parseIpvsadmSave, proxyNodes, type ProxyProgram } from '../../src/proxy/index.js';
import { formatIpsetSave } from '../../src/proxy/format-ipvs.js';
import { LAB_DIR } from '../helpers/paths.js';
import { withoutComments } from './dump.js';
import { ERAS, eraLab } from './era-labs.js';
import { loadRestoreForm, loadSaveForm } from './netns.js';

function section(text: string, name: string): string {
  const start = text.indexOf(`# === ${name} ===\n`);
  if (start < 0) return text;
  const body = text.slice(start).split('\n').slice(1).join('\n');
  const next = body.indexOf('\n# === ');
  return next < 0 ? body : body.slice(0, next + 1);
}

function check(t: import('ava').ExecutionContext, lab: Lab, program: ProxyProgram): void {
  const where = `${lab.name} ${program.node}`;
  const save = formatProgram(program, 'save', lab.name);
  const restore = formatProgram(program, 'restore', lab.name);
  const ipsets = program.ipvs ? formatIpsetSave(program.ipvs.ipsets) : '';
  const rulesOf = (text: string) => withoutComments(section(text, program.ipvs ? 'iptables-save' : ''));
  const expected = withoutComments(program.ipvs ? section(save, 'iptables-save') : save);

  const r = loadRestoreForm(program.ipvs ? section(restore, 'iptables-restore') : restore, program.iptables.jumps.map(jumpCommand), ipsets);
  t.is(r.code, 0, `${where}: restore form: ${r.stderr}`);
  t.is(withoutComments(r.stdout), expected, `${where}: iptables-save after the restore form and the jumps`);

  const s = loadSaveForm(program.ipvs ? section(save, 'iptables-save') : save, ipsets);
  t.is(s.code, 0, `${where}: save form: ${s.stderr}`);
  const [dump, ipsetDump = ''] = s.stdout.split('### ipset\n');
  t.is(withoutComments(dump!), rulesOf(expected), `${where}: the save form reads back unchanged`);
  if (program.ipvs) {
    const back = parseIpsetSave(ipsetDump);
    t.deepEqual([...back.keys()], program.ipvs.ipsets.map((x) => x.name), `${where}: ipsets`);
    for (const set of program.ipvs.ipsets) t.deepEqual(back.get(set.name), { type: set.type, entries: set.entries }, `${where}: ipset ${set.name}`);
    const servers = parseIpvsadmSave(section(save, 'ipvsadm-save -n'));
    t.deepEqual(servers, program.ipvs.virtualServers.map(({ service: _s, ...v }) => v), `${where}: ipvsadm-save -n reads back`);
  }
}

const examples = readdirSync(LAB_DIR).filter((f) => f.endsWith('.lab.yaml'));

for (const file of examples) {
  test(`example lab ${file}: every minion's rules load into a scratch namespace and read back as the save form`, (t) => {
    const { lab } = readLabText(file, readFileSync(`${LAB_DIR}/${file}`, 'utf8'));
    for (const node of proxyNodes(lab)) check(t, lab, labProxyProgram(lab, node.name));
  });
}

for (const era of ERAS) {
  test(`era ${era.version} ${era.mode}: every minion's rules load into a scratch namespace and read back as the save form`, (t) => {
    const e = eraLab(era.version, era.mode);
    const { lab } = readLabText(`${e.name}.lab.yaml`, e.text);
    for (const node of proxyNodes(lab)) check(t, lab, labProxyProgram(lab, node.name));
  });
}
