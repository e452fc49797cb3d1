// The switch's static routes in each platform's own syntax: one route per node's docker0
// subnet via the node, a header naming the lab, and never the service range.
import test from 'ava';
import { PLATFORMS } from '../../src/lab/schema.js';
import { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO, renderRoutes } from '../../src/render/index.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';

const k101 = () => exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;
const lines = (text: string) => text.split('\n');

const EXPECTED: Record<(typeof PLATFORMS)[number], { comment: RegExp; routes: string[] }> = {
  ios: { comment: /^! /, routes: ['ip route 10.10.10.0 255.255.255.0 10.20.30.62 name kubminion1', 'ip route 10.10.30.0 255.255.255.0 192.168.10.64 name kubminion3'] },
  nxos: { comment: /^! /, routes: ['ip route 10.10.10.0/24 10.20.30.62 name kubminion1', 'ip route 10.10.30.0/24 192.168.10.64 name kubminion3'] },
  eos: { comment: /^! /, routes: ['ip route 10.10.10.0/24 10.20.30.62 name kubminion1', 'ip route 10.10.30.0/24 192.168.10.64 name kubminion3'] },
  junos: {
    comment: /^# /,
    routes: ['set routing-options static route 10.10.10.0/24 next-hop 10.20.30.62', `set routing-options static route 10.10.10.0/24 tag ${FRR_ROUTE_TAG}`, 'edit routing-options static', 'annotate route 10.10.10.0/24 "labsmith: kubminion1"', 'top'],
  },
  frr: { comment: /^! /, routes: ['! kubminion1 on lab-a', `ip route 10.10.10.0/24 10.20.30.62 tag ${FRR_ROUTE_TAG}`, `ip route 10.10.30.0/24 192.168.10.64 tag ${FRR_ROUTE_TAG}`] },
  vyos: { comment: /^# /, routes: ['set protocols static route 10.10.10.0/24 next-hop 10.20.30.62', "set protocols static route 10.10.10.0/24 description 'labsmith: kubminion1'"] },
  linux: { comment: /^#!\/bin\/sh$/, routes: ['# labsmith: kubminion1 on lab-a', `ip route replace 10.10.10.0/24 via 10.20.30.62 proto ${LINUX_ROUTE_PROTO}`, 'set -e'] },
  routeros: { comment: /^# /, routes: ['/ip route add dst-address=10.10.10.0/24 gateway=10.20.30.62 comment="labsmith: kubminion1"', '/ip route add dst-address=10.10.30.0/24 gateway=192.168.10.64 comment="labsmith: kubminion3"'] },
};

for (const platform of PLATFORMS) {
  test(`routes for ${platform}: the platform's syntax, a header naming the lab, one route per minion`, (t) => {
    const text = renderRoutes(k101(), platform);
    const ls = lines(text);
    t.regex(ls[0]!, EXPECTED[platform].comment);
    const header = ls.slice(0, 3).join('\n');
    t.true(header.includes('labsmith') && header.includes('kubernetes-101'), header);
    for (const r of EXPECTED[platform].routes) t.true(ls.includes(r), `${platform}: missing line ${r}\n${text}`);
    t.true(text.endsWith('\n'));
    // One route per minion, each minion named once as a next hop.
    for (const via of ['10.20.30.62', '10.20.30.63', '192.168.10.64']) t.true(text.includes(via), via);
  });
}

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
