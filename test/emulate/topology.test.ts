// The emulated lab's shape, derived from the Lab alone: names, links, addresses.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fabricBatch, hostNetBatch, sshdConfig, unlockRoot } from '../../src/emulate/files.js';
import { topologyOf } from '../../src/emulate/topology.js';
import { readLabText } from '../../src/lab/read.js';
import { exampleLab } from '../helpers/paths.js';

const k101 = async (edit: (s: string) => string = (s) => s) => readLabText('k101.lab.yaml', edit(await readFile(exampleLab('kubernetes-101'), 'utf8'))).lab;

test('kubernetes-101: router, four nodes, outside; one bridge per segment plus the uplink', async (t) => {
  const topo = topologyOf(await k101());
  t.is(topo.fabric, 'lsm-kubernetes-101');
  t.deepEqual(topo.hosts.map((h) => [h.name, h.kind, h.netns]), [
    ['mls', 'router', 'lsm-kubernetes-101.mls'],
    ['kubmasta', 'node', 'lsm-kubernetes-101.kubmasta'],
    ['kubminion1', 'node', 'lsm-kubernetes-101.kubminion1'],
    ['kubminion2', 'node', 'lsm-kubernetes-101.kubminion2'],
    ['kubminion3', 'node', 'lsm-kubernetes-101.kubminion3'],
    ['outside', 'outside', 'lsm-kubernetes-101.outside'],
  ]);
  t.deepEqual(topo.bridges, [
    { name: 'b0', segment: 'lab-a', cidr: '10.20.30.0/24' },
    { name: 'b1', segment: 'lab-b', cidr: '192.168.10.0/24' },
    { name: 'b2', segment: 'uplink', cidr: '198.18.0.0/30' },
  ]);
  const mls = topo.hosts[0]!;
  t.deepEqual(mls.interfaces.map((i) => [i.ifname, i.peer, i.bridge, `${i.address}/${i.prefixLength}`]), [
    ['eth0', 'v0', 'b0', '10.20.30.1/24'],
    ['eth1', 'v1', 'b1', '192.168.10.1/24'],
    ['eth2', 'v2', 'b2', '198.18.0.1/30'],
  ]);
  t.is(mls.gateway, undefined);
  const m3 = topo.hosts[4]!;
  t.deepEqual([m3.address, m3.gateway, m3.interfaces[0]!.bridge], ['192.168.10.64', '192.168.10.1', 'b1']);
  const out = topo.hosts[5]!;
  t.deepEqual([out.address, out.gateway], ['198.18.0.2', '198.18.0.1']);
  // Every interface name fits Linux's 15 characters.
  t.true(topo.hosts.flatMap((h) => h.interfaces.flatMap((i) => [i.ifname, i.peer])).every((n) => n.length <= 15));
});

test('a node called outside pushes the outside host to outside-1; a lab using 198.18.0.0/30 pushes the uplink on', async (t) => {
  const lab = await k101((s) => s.replace('name: kubmasta,', 'name: outside,').replace('cidr: 192.168.10.0/24, gateway: 192.168.10.1', 'cidr: 198.18.0.0/29, gateway: 198.18.0.1').replace('192.168.10.64', '198.18.0.6').replace('address: 10.20.30.1', 'address: 10.20.30.1'));
  const topo = topologyOf(lab);
  t.deepEqual(topo.hosts.map((h) => h.name).slice(-1), ['outside-1']);
  t.is(topo.uplink.cidr, '198.18.0.8/30');
});

test('ip batches: fabric bridges and veths into the host namespaces; host addresses and default route', async (t) => {
  const topo = topologyOf(await k101());
  const fabric = fabricBatch(topo);
  t.regex(fabric, /^link add b0 type bridge$/m);
  t.regex(fabric, /^link add v3 type veth peer name eth0 netns lsm-kubernetes-101\.kubmasta$/m);
  t.regex(fabric, /^link set v3 master b0 up$/m);
  t.is(hostNetBatch(topo.hosts[1]!), 'link set lo up\naddr add 10.20.30.61/24 dev eth0\nlink set eth0 up\nroute add default via 10.20.30.1\n');
  t.notRegex(hostNetBatch(topo.hosts[0]!), /default/);
});

test('sshd listens on every address of the host\'s own namespace (they move in a reconcile), keys only', async (t) => {
  const topo = topologyOf(await k101());
  const conf = sshdConfig(topo.hosts[0]!, 22);
  t.regex(conf, /^ListenAddress 0\.0\.0\.0$/m);
  t.is(conf.match(/^ListenAddress/gm)?.length, 1);
  t.regex(conf, /^PermitRootLogin prohibit-password$/m);
  t.regex(conf, /^PasswordAuthentication no$/m);
  t.regex(conf, /^Subsystem sftp internal-sftp$/m);
});

test('a locked root (sshd without PAM refuses it) is unlocked in the host view only', (t) => {
  t.is(unlockRoot('root:!$y$j9T$x:19000:0:99999:7:::\nbin:*:1::::::\n'), 'root:*:19000:0:99999:7:::\nbin:*:1::::::\n');
  t.is(unlockRoot('root:*:19000:0:99999:7:::\n'), undefined);
});
