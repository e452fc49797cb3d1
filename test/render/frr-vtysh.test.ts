// Every FRR rendering parses: `vtysh --dryrun -f FILE` reads the file with FRR's own command
// grammar and exits non-zero, naming the line, on anything it does not accept. It needs no
// running daemon. Each example lab is rendered for platform frr (whatever its own platform),
// plus the router file of the lab whose switch is FRR, plus renderings with removals
// (`no ip route ... tag 4242`) made with --against.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAgainst } from '../../src/render/index.js';
import { renderRoutes } from '../../src/render/render.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { ROOT } from '../helpers/paths.js';
import { runTool } from '../helpers/tools.js';

function dryrun(config: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-frr-'));
  const file = path.join(dir, 'labsmith-routes.conf');
  try {
    writeFileSync(file, config);
    return runTool('vtysh', ['--dryrun', '-f', file], 'frr');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const { name, lab } of exampleLabs()) {
  test(`vtysh --dryrun accepts the FRR routes of lab ${name}`, (t) => {
    const config = renderRoutes(lab, 'frr');
    t.true(lab.router.routes.length > 0);
    const r = dryrun(config);
    t.is(r.code, 0, `vtysh --dryrun rejected the FRR routes of ${name}:\n${r.stdout}${r.stderr}\n--- config:\n${config}`);
    t.notRegex(r.stdout + r.stderr, /Unknown command|% /);
  });
}

test('vtysh --dryrun accepts renderings with removals: against the previous rendering and against a capture', (t) => {
  const k101 = exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
  const moved = readOk(edit(edit(K101, 'address: 10.20.30.62, podCidr', 'address: 10.20.30.72, podCidr'), 'podCidr: 10.10.20.0/24', 'podCidr: 10.10.40.0/24')).lab;
  const capture = readFileSync(path.join(ROOT, 'test/fixtures/routes/frr-show-running-config.txt'), 'utf8');
  for (const [file, text] of [['previous.conf', renderRoutes(k101, 'frr')], ['show-run.txt', capture]] as const) {
    const config = renderRoutes(moved, 'frr', { against: { file, capture: readAgainst('frr', text, file) } });
    const removals = config.split('\n').filter((l) => l.startsWith('no ip route '));
    t.true(removals.length >= 2, config);
    const r = dryrun(config);
    t.is(r.code, 0, `vtysh --dryrun rejected:\n${r.stdout}${r.stderr}\n--- config:\n${config}`);
    t.notRegex(r.stdout + r.stderr, /Unknown command|% /);
  }
});

test('vtysh --dryrun accepts the FRR file of the router HostRender', (t) => {
  const frrLabs = exampleLabs().filter((l) => l.lab.router.platform === 'frr');
  t.true(frrLabs.length > 0, 'an example lab with an FRR switch');
  for (const { name, lab } of frrLabs) {
    const router = renderPlaceholder(lab).find((h) => h.role === 'router')!;
    const file = router.files.find((f) => f.template === 'router/frr.hbs')!;
    t.is(file.path, '/etc/frr/labsmith-routes.conf');
    const r = dryrun(file.content);
    t.is(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
  }
});

test('negative control: vtysh --dryrun rejects a broken route line and names it', (t) => {
  const { lab } = exampleLabs().find((l) => l.name === 'kubernetes-101')!;
  const good = renderRoutes(lab, 'frr');
  for (const bad of ['ip route 10.10.10.0/33 10.20.30.62 tag 4242', 'no ip route 10.10.10.0/24 10.20.30.62 tag 4242 name x', 'ip rute 10.10.10.0/24 10.20.30.62', 'ip route 10.10.10.0/24 10.20.30.62 description kubminion1']) {
    const r = dryrun(`${good}${bad}\n`);
    t.not(r.code, 0, `vtysh accepted: ${bad}`);
    t.true((r.stdout + r.stderr).includes(bad), `vtysh's complaint names the line: ${r.stdout}${r.stderr}`);
  }
});
