// Template and playbook faults are reported with the file (and line) at fault, never as an
// empty value in a rendered config.
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRenderer, PlaybookError, TemplateError } from '../../src/render/index.js';
import { exampleLabs } from '../helpers/golden.js';
import { ROOT } from '../helpers/paths.js';

const k101 = () => exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;

function scratch(t: { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  cpSync(path.join(ROOT, 'playbooks'), path.join(dir, 'playbooks'), { recursive: true });
  const change = (rel: string, from: string, to: string) => {
    const file = path.join(dir, rel);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${rel} has no ${from}`);
    writeFileSync(file, text.replace(from, to));
  };
  const renderer = () => createRenderer({ templates: path.join(dir, 'templates'), playbooks: path.join(dir, 'playbooks') });
  return { change, renderer };
}

test('a misspelt name in a template names the template file and line', (t) => {
  const s = scratch(t);
  s.change('templates/systemd/kube-apiserver.service.hbs', '{{units.apiserver.execStart}}', '{{units.apiserver.execStrat}}');
  const err = t.throws(() => s.renderer().renderLab(k101()), { instanceOf: TemplateError });
  t.is(err?.message, 'templates/systemd/kube-apiserver.service.hbs:8: "execStrat" not defined');
});

test('an #if on an unknown name is an error, not a silent false', (t) => {
  const s = scratch(t);
  s.change('templates/systemd/docker.service.hbs', '{{#if legacy}}', '{{#if legcy}}');
  const err = t.throws(() => s.renderer().renderLab(k101()), { instanceOf: TemplateError });
  t.regex(err!.message, /^templates\/systemd\/docker\.service\.hbs:9: \{\{#if\}\} on an undefined value/);
});

test('a Handlebars syntax error names the template file and line', (t) => {
  const s = scratch(t);
  s.change('templates/router/ios.hbs', '{{/each}}\n!', '{{/each}}\n{{#if}\n!');
  const err = t.throws(() => s.renderer().renderRoutes(k101(), 'ios'), { instanceOf: TemplateError });
  t.regex(err!.message, /^templates\/router\/ios\.hbs:4: parse error/);
});

test('a playbook naming a missing template, or a bad field, is reported with the playbook', (t) => {
  const s = scratch(t);
  s.change('playbooks/master.yaml', 'template: systemd/etcd.service.hbs', 'template: systemd/etcd.hbs');
  t.throws(() => s.renderer().renderLab(k101()), { instanceOf: TemplateError, message: /^templates\/systemd\/etcd\.hbs: cannot read template/ });
  const s2 = scratch(t);
  s2.change('playbooks/minion.yaml', 'notifies: [network forwarding]', 'notifies: [network everything]');
  t.throws(() => s2.renderer().renderLab(k101()), { instanceOf: PlaybookError, message: /^playbooks\/minion\.yaml: files\.\d+\.notifies\.0: must be/ });
  const s3 = scratch(t);
  s3.change('playbooks/minion.yaml', 'when: modern', 'when: moderne');
  t.throws(() => s3.renderer().renderLab(k101()), { instanceOf: PlaybookError, message: /when: moderne is not a known condition/ });
  const s4 = scratch(t);
  s4.change('playbooks/master.yaml', 'mode: "0600"', 'mode: 0600');
  t.throws(() => s4.renderer().renderLab(k101()), { instanceOf: PlaybookError, message: /mode: .*quoted octal/ });
});

test('templates are compiled once and reused across renders', (t) => {
  const s = scratch(t);
  const r = s.renderer();
  const first = r.renderLab(k101());
  // Breaking the file after the first render does not matter: the compiled template is kept.
  s.change('templates/systemd/etcd.service.hbs', '{{units.etcd.execStart}}', '{{nope}}');
  t.deepEqual(r.renderLab(k101()), first);
});
