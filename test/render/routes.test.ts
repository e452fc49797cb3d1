// The switch's static routes in each platform's own syntax: one route per node's docker0
// subnet via the node, labsmith's mark on each, a header naming the lab, and never the
// service range. Per platform: a first config; a re-paste against the previous rendering
// that duplicates nothing and removes nothing; a moved node whose old route, and only that
// one, is removed; a capture whose foreign routes are never removed.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { PLATFORMS, type Platform } from '../../src/lab/schema.js';
import type { Lab } from '../../src/lab/types.js';
import { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO, ROUTE_TAG, readAgainst, renderLab, renderRoutes } from '../../src/render/index.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';
import { edit, K101, readOk } from '../helpers/lab-text.js';
import { ROOT } from '../helpers/paths.js';
import { runTool } from '../helpers/tools.js';

const k101 = () => exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
const lines = (text: string) => text.split('\n');
const FIXTURES = path.join(ROOT, 'test/fixtures/routes');

const EXPECTED: Record<Platform, { comment: RegExp; routes: string[] }> = {
  ios: { comment: /^! /, routes: ['ip route 10.10.10.0 255.255.255.0 10.20.30.62 name labsmith-kubminion1 tag 4242', 'ip route 10.10.30.0 255.255.255.0 192.168.10.64 name labsmith-kubminion3 tag 4242'] },
  nxos: { comment: /^! /, routes: ['ip route 10.10.10.0/24 10.20.30.62 name labsmith-kubminion1 tag 4242', 'ip route 10.10.30.0/24 192.168.10.64 name labsmith-kubminion3 tag 4242'] },
  eos: { comment: /^! /, routes: ['ip route 10.10.10.0/24 10.20.30.62 name labsmith-kubminion1 tag 4242', 'ip route 10.10.30.0/24 192.168.10.64 name labsmith-kubminion3 tag 4242'] },
  junos: {
    comment: /^set /,
    routes: ['set routing-options static route 10.10.10.0/24 next-hop 10.20.30.62', `set routing-options static route 10.10.10.0/24 tag ${ROUTE_TAG}`, 'commit comment "labsmith: static routes of lab kubernetes-101"'],
  },
  frr: { comment: /^! /, routes: ['! kubminion1 on lab-a', `ip route 10.10.10.0/24 10.20.30.62 tag ${FRR_ROUTE_TAG}`, `ip route 10.10.30.0/24 192.168.10.64 tag ${FRR_ROUTE_TAG}`] },
  vyos: {
    comment: /^#!\/bin\/vbash$/,
    routes: ['source /opt/vyatta/etc/functions/script-template', 'configure', 'set protocols static route 10.10.10.0/24 next-hop 10.20.30.62', "set protocols static route 10.10.10.0/24 description 'labsmith: kubminion1'", 'commit', 'save'],
  },
  linux: { comment: /^#!\/bin\/sh$/, routes: ['# labsmith: kubminion1 on lab-a', `ip route replace 10.10.10.0/24 via 10.20.30.62 proto ${LINUX_ROUTE_PROTO}`, 'set -e'] },
  routeros: {
    comment: /^# /,
    routes: ['/ip route remove [find where comment~"^labsmith:"]', '/ip route add dst-address=10.10.10.0/24 gateway=10.20.30.62 comment="labsmith: kubminion1"', '/ip route add dst-address=10.10.30.0/24 gateway=192.168.10.64 comment="labsmith: kubminion3"'],
  },
};

/** The line each platform renders to remove labsmith's route `prefix via`. `gone`: the lab no
 * longer routes the prefix at all (Junos and VyOS then delete the whole route). */
const REMOVAL: Record<Platform, (prefix: string, via: string, gone: boolean) => string> = {
  // Every prefix in these tests is a /24.
  ios: (p, v) => `no ip route ${p.replace('/24', ' 255.255.255.0')} ${v}`,
  nxos: (p, v) => `no ip route ${p} ${v}`,
  eos: (p, v) => `no ip route ${p} ${v}`,
  frr: (p, v) => `no ip route ${p} ${v} tag ${ROUTE_TAG}`,
  junos: (p, v, gone) => (gone ? `delete routing-options static route ${p}` : `delete routing-options static route ${p} next-hop ${v}`),
  vyos: (p, v, gone) => (gone ? `delete protocols static route ${p}` : `delete protocols static route ${p} next-hop ${v}`),
  linux: (p, v) => `ip route del ${p} via ${v} proto ${LINUX_ROUTE_PROTO} 2>/dev/null || true`,
  routeros: (p, v) => `/ip route remove [find where dst-address=${p} gateway=${v} comment~"^labsmith:"]`,
};
const removalsIn = (text: string) => lines(text).filter((l) => /^(no ip route |delete |ip route del |\/ip route remove )/.test(l));
const addsIn = (text: string) => lines(text).filter((l) => /^(ip route (?!del )|set (routing-options|protocols) static route \S+ next-hop |\/ip route add )/.test(l));

const FIXTURE: Record<Platform, string> = {
  ios: 'ios-show-running-config.txt',
  nxos: 'nxos-show-running-config.txt',
  eos: 'eos-show-running-config.txt',
  frr: 'frr-show-running-config.txt',
  junos: 'junos-display-set.txt',
  vyos: 'vyos-configuration-commands.txt',
  linux: 'linux-ip-route.txt',
  routeros: 'routeros-v7-export.rsc',
};

/** The classic lab after a change on the lab file's text. */
const changed = (from: string, to: string): Lab => readOk(edit(K101, from, to)).lab;
const MOVES: { what: string; lab: () => Lab; stale: [string, string, boolean][] }[] = [
  {
    what: 'a node re-addressed',
    lab: () => changed('address: 10.20.30.62, podCidr', 'address: 10.20.30.72, podCidr'),
    stale: [['10.10.10.0/24', '10.20.30.62', false]],
  },
  {
    what: 'a pod CIDR moved to another node',
    lab: () => changed('{ name: kubminion2, role: minion, address: 10.20.30.63,', '{ name: kubminion4, role: minion, address: 10.20.30.65,'),
    stale: [['10.10.20.0/24', '10.20.30.63', false]],
  },
  {
    what: 'a node given a new pod CIDR',
    lab: () => changed('podCidr: 10.10.20.0/24', 'podCidr: 10.10.40.0/24'),
    stale: [['10.10.20.0/24', '10.20.30.63', true]],
  },
];

const against = (platform: Platform, text: string, file = 'previous.txt') => ({ file, capture: readAgainst(platform, text, file) });

for (const platform of PLATFORMS) {
  test(`${platform}: a first config in the platform's syntax, a header naming the lab, one marked route per minion`, (t) => {
    const text = renderRoutes(k101(), platform);
    const ls = lines(text);
    t.regex(ls[0]!, EXPECTED[platform].comment);
    const header = platform === 'junos' ? ls.at(-2)! : ls.slice(0, 3).join('\n');
    t.true(header.includes('labsmith') && header.includes('kubernetes-101'), header);
    for (const r of EXPECTED[platform].routes) t.true(ls.includes(r), `${platform}: missing line ${r}\n${text}`);
    t.true(text.endsWith('\n'));
    for (const via of ['10.20.30.62', '10.20.30.63', '192.168.10.64']) t.true(text.includes(via), via);
    t.is(addsIn(text).length, 3, text);
    t.deepEqual(removalsIn(text), platform === 'routeros' ? ['/ip route remove [find where comment~"^labsmith:"]'] : []);
  });

  test(`${platform}: re-pasted against its previous rendering, nothing is duplicated or removed`, (t) => {
    const first = renderRoutes(k101(), platform);
    const again = renderRoutes(k101(), platform, { against: against(platform, first) });
    t.deepEqual(removalsIn(again), []);
    // RouterOS would add a second entry: against a file that has the routes, it adds none.
    t.deepEqual(addsIn(again), platform === 'routeros' ? [] : addsIn(first));
    t.is(new Set(addsIn(again)).size, addsIn(again).length, 'no line twice');
  });

  for (const move of MOVES) {
    test(`${platform}: ${move.what}: against the previous rendering, exactly the old route is removed`, (t) => {
      const previous = renderRoutes(k101(), platform);
      const text = renderRoutes(move.lab(), platform, { against: against(platform, previous) });
      t.deepEqual(removalsIn(text), move.stale.map(([p, v, gone]) => REMOVAL[platform](p, v, gone)), text);
      // The new route is there; on RouterOS only it is added.
      const lab = move.lab();
      const fresh = addsIn(renderRoutes(lab, platform)).filter((l) => !addsIn(previous).includes(l));
      t.true(fresh.length >= 1);
      for (const l of fresh) t.true(addsIn(text).includes(l), l);
      if (platform === 'routeros') t.deepEqual(addsIn(text), fresh);
    });
  }

  test(`${platform}: against a capture of the switch, only labsmith's stale route goes; foreign routes stay`, (t) => {
    const capture = readFileSync(path.join(FIXTURES, FIXTURE[platform]), 'utf8');
    const text = renderRoutes(k101(), platform, { against: against(platform, capture, FIXTURE[platform]) });
    t.deepEqual(removalsIn(text), [REMOVAL[platform]('10.10.50.0/24', '10.20.30.65', true)], text);
    for (const foreign of ['203.0.113.1', '10.20.30.99', '172.16.0.0', '192.0.2.1']) t.false(text.includes(foreign), foreign);
    t.regex(text, new RegExp(platform === 'junos' ? '^set ' : `Against ${FIXTURE[platform].replace(/\./g, '\\.')}: removes 1 labsmith route`, 'm'));

    const moved = renderRoutes(MOVES[0]!.lab(), platform, { against: against(platform, capture) });
    const expected = [REMOVAL[platform]('10.10.10.0/24', '10.20.30.62', false), REMOVAL[platform]('10.10.50.0/24', '10.20.30.65', true)];
    t.deepEqual([...removalsIn(moved)].sort(), expected.sort(), moved);
  });
}

test('junos: the file render writes is loadable with `load set`: set and delete lines only, no commit', (t) => {
  const lab = { ...k101(), router: { ...k101().router, platform: 'junos' as const } };
  const file = renderLab(lab).find((h) => h.role === 'router')!.files.find((f) => f.template === 'router/junos.hbs')!;
  t.is(file.path, '/var/tmp/labsmith-routes.set');
  const ls = lines(file.content.trimEnd());
  t.true(ls.length === 6 && ls.every((l) => /^set routing-options static route \S+ (next-hop|tag) \S+$/.test(l)), file.content);
  t.is(renderRoutes(lab), `${file.content}commit comment "labsmith: static routes of lab kubernetes-101"\n`);
});

test('--save: ios and eos end with write memory, nxos copies running to startup; other platforms refuse it', (t) => {
  t.true(renderRoutes(k101(), 'ios', { save: true }).endsWith('tag 4242\nend\nwrite memory\n'));
  t.true(renderRoutes(k101(), 'eos', { save: true }).endsWith('tag 4242\nend\nwrite memory\n'));
  t.true(renderRoutes(k101(), 'nxos', { save: true }).endsWith('tag 4242\nend\ncopy running-config startup-config\n'));
  for (const p of ['ios', 'nxos', 'eos'] as const) {
    const text = renderRoutes(k101(), p);
    t.false(/write memory$|startup-config$/m.test(text.replace(/^!.*$/gm, '')), p);
    t.regex(text, /^! Not saved: /m);
  }
  for (const p of ['junos', 'frr', 'vyos', 'linux', 'routeros'] as const) {
    const err = t.throws(() => renderRoutes(k101(), p, { save: true }), { instanceOf: UsageError });
    t.regex(err!.message, new RegExp(`--save is for ios, nxos and eos, not ${p}`));
  }
});

test('the vyos script and the linux script are valid shell (bash -n, sh -n)', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-routes-sh-'));
  try {
    for (const [platform, shell, pkg] of [['vyos', 'bash', 'bash'], ['linux', 'sh', 'dash']] as const) {
      for (const text of [renderRoutes(k101(), platform), renderRoutes(MOVES[2]!.lab(), platform, { against: against(platform, renderRoutes(k101(), platform)) })]) {
        const file = path.join(dir, `${platform}.sh`);
        writeFileSync(file, text);
        const r = runTool(shell, ['-n', file], pkg);
        t.is(r.code, 0, `${shell} -n: ${r.stderr}\n${text}`);
      }
    }
    const broken = path.join(dir, 'broken.sh');
    writeFileSync(broken, renderRoutes(k101(), 'linux').replace('  esac\n', ''));
    t.not(runTool('sh', ['-n', broken], 'dash').code, 0, 'negative control');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the constants that mark labsmith routes are a valid FRR tag and an unused Linux proto', (t) => {
  t.true(Number.isInteger(FRR_ROUTE_TAG) && FRR_ROUTE_TAG >= 1 && FRR_ROUTE_TAG <= 4294967295);
  // 0-4 kernel, 8-18 daemons, 42 babel, 99 openr, 186-197 bgp..openfabric (iproute2 and FRR's rt_protos).
  const taken = new Set([0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 42, 99, ...Array.from({ length: 12 }, (_, i) => 186 + i)]);
  t.false(taken.has(LINUX_ROUTE_PROTO));
  t.true(LINUX_ROUTE_PROTO > 0 && LINUX_ROUTE_PROTO < 256);
});

test('renderRoutes defaults to the lab platform; the router HostRender holds the same text', (t) => {
  for (const { name, lab } of exampleLabs()) {
    const text = renderRoutes(lab);
    t.is(text, renderRoutes(lab, lab.router.platform));
    const router = renderPlaceholder(lab).find((h) => h.role === 'router')!;
    t.is(router.host, lab.router.name);
    t.is(router.address, lab.router.address);
    t.true(router.files.some((f) => f.content === text && f.template === `router/${lab.router.platform}.hbs`), name);
  }
});

test('a Linux switch gets a unit that runs routes.sh at boot', (t) => {
  const { lab } = exampleLabs().find((l) => l.lab.router.platform === 'linux')!;
  const files = renderPlaceholder(lab).find((h) => h.role === 'router')!.files;
  const unit = files.find((f) => f.path === '/etc/systemd/system/labsmith-routes.service')!;
  t.regex(unit.content, /^ExecStart=\/etc\/labsmith\/routes\.sh$/m);
  t.regex(unit.content, /^WantedBy=multi-user\.target$/m);
  t.deepEqual(unit.notifies, [{ kind: 'daemon-reload' }]);
  t.true(files.some((f) => f.path === '/etc/labsmith/routes.sh' && f.mode === 0o755));
});

test('the service range appears in no router rendering, for any lab and platform', (t) => {
  for (const { name, lab } of exampleLabs()) {
    const range = lab.kubernetes.serviceRange;
    const texts = [...PLATFORMS.map((p) => renderRoutes(lab, p)), ...renderPlaceholder(lab).filter((h) => h.role === 'router').flatMap((h) => h.files.map((f) => f.content))];
    for (const text of texts) {
      t.false(text.includes(range.cidr), `${name}: ${range.cidr}`);
      t.false(new RegExp(`(^|[^0-9.])${range.network.replace(/\./g, '\\.')}([^0-9.]|$)`, 'm').test(text), `${name}: ${range.network}`);
      t.false(text.includes(lab.kubernetes.apiserverServiceIP), `${name}: service IP`);
      for (const s of lab.services) t.false(text.includes(s.clusterIP), `${name}: ${s.clusterIP}`);
    }
    // Exactly the pod CIDRs are routed.
    const frr = renderRoutes(lab, 'frr');
    const routed = lines(frr).filter((l) => l.startsWith('ip route ')).map((l) => l.split(' ')[2]);
    t.deepEqual(routed, lab.nodes.filter((n) => n.docker0).map((n) => n.docker0!.prefix.cidr));
  }
});

test('an unknown platform is refused', (t) => {
  t.throws(() => renderRoutes(k101(), 'cisco' as never), { message: /unknown router platform cisco/ });
});
