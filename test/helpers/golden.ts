// The golden tree: everything rendered for every example lab, as files under test/golden/.
//   test/golden/<lab>/<host>/<absolute path on the host>   file contents, byte for byte
//   test/golden/<lab>/manifest.txt                         mode, owner, template, handlers per file
//   test/golden/kubernetes-101/routes/<platform>.txt       `labsmith routes --platform <platform>`
//   test/golden/<lab>/proxy/<minion>.restore.txt           `labsmith proxy --node <minion> --form restore`
//     (the save form is the rendered /etc/labsmith/kube-proxy.rules of each minion)
//   test/golden/<lab>/manifests/<file>                     `labsmith manifests`: the lab's API objects
// `npm run golden` rewrites it (scripts/regen-golden.ts); review the change with git diff.
// 1.x labs render with placeholderPki: PEM-shaped markers naming each certificate and key, so
// the golden files hold no key material and do not change from run to run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readLabText } from '../../src/lab/read.js';
import { PLATFORMS } from '../../src/lab/schema.js';
import type { Lab } from '../../src/lab/types.js';
import { labManifests } from '../../src/manifests/index.js';
import { needsPki, placeholderPki } from '../../src/pki/index.js';
import { formatProgram, labProxyProgram, proxyNodes } from '../../src/proxy/index.js';
import { renderLab, renderRoutes } from '../../src/render/render.js';
import type { Handler, HostRender } from '../../src/render/types.js';
import { LAB_DIR, ROOT } from './paths.js';

export const GOLDEN_DIR = path.join(ROOT, 'test', 'golden');
/** The lab whose route configuration is kept for every platform. */
export const ROUTES_LAB = 'kubernetes-101';

export function exampleLabs(): { name: string; lab: Lab }[] {
  return readdirSync(LAB_DIR)
    .filter((f) => f.endsWith('.lab.yaml'))
    .sort()
    .map((f) => {
      const file = path.join(LAB_DIR, f);
      const { lab } = readLabText(`lab/${f}`, readFileSync(file, 'utf8'));
      return { name: lab.name, lab };
    });
}

/** renderLab with the placeholder PKI where the lab needs one: for tests about anything but keys. */
export function renderPlaceholder(lab: Lab): HostRender[] {
  return renderLab(lab, needsPki(lab) ? { pki: placeholderPki(lab) } : {});
}

function handlerText(h: Handler): string {
  return h.kind === 'daemon-reload' ? 'daemon-reload' : h.kind === 'restart' ? `restart ${h.unit}` : `network ${h.what}`;
}

export function manifest(renders: HostRender[]): string {
  const lines: string[] = [];
  for (const h of renders) {
    lines.push(`${h.host} ${h.role} ${h.address}`);
    for (const f of h.files) {
      const notifies = f.notifies.length ? f.notifies.map(handlerText).join(', ') : '-';
      lines.push(`  ${f.path} 0${f.mode.toString(8)} ${f.owner}:${f.group}${f.secret ? ' secret' : ''} ${f.template} -> ${notifies}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Relative path under test/golden -> expected content. */
export function goldenTree(): Map<string, string> {
  const tree = new Map<string, string>();
  for (const { name, lab } of exampleLabs()) {
    const renders = renderPlaceholder(lab);
    for (const h of renders) {
      if (h.host === 'routes' || h.host === 'proxy' || h.host === 'manifests') throw new Error(`lab ${name}: a host named "${h.host}" would collide with the golden ${h.host}/ directory`);
      for (const f of h.files) tree.set(path.posix.join(name, h.host, f.path), f.content);
    }
    tree.set(path.posix.join(name, 'manifest.txt'), manifest(renders));
    for (const n of proxyNodes(lab)) tree.set(path.posix.join(name, 'proxy', `${n.name}.restore.txt`), formatProgram(labProxyProgram(lab, n.name), 'restore', lab.name));
    for (const m of labManifests(lab)) tree.set(path.posix.join(name, 'manifests', m.file), m.content);
    if (name === ROUTES_LAB) {
      for (const p of PLATFORMS) tree.set(path.posix.join(name, 'routes', `${p}.txt`), renderRoutes(lab, p));
    }
  }
  return tree;
}

/** Relative paths of every file now under test/golden. */
export function goldenOnDisk(dir = GOLDEN_DIR): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}
