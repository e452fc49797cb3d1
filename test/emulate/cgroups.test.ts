// Where the hosts' cgroups go, read from the machine's mounts (pure), and where labsmith
// refuses to boot systemd in a host rather than half-start it.
import test from 'ava';
import { cgroupBase, cgroupMountSpecs, ownV2Cgroup, parseCgroupMounts } from '../../src/emulate/cgroups.js';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const DEBIAN12 = `30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

test('this project\'s machine: hybrid v1 with cgroup2 on unified, no systemd: /labsmith in every hierarchy', (t) => {
  const layout = parseCgroupMounts(HYBRID);
  t.is(layout.kind, 'hybrid');
  t.deepEqual(cgroupMountSpecs(layout.hierarchies), ['cpu:cpu', 'cpuset:cpuset', 'memory:memory', 'systemd:none,name=systemd', 'unified:cgroup2']);
  t.deepEqual(cgroupBase(layout, 'process_api', () => false, '/'), { base: '/labsmith' });
});

test('stock Debian 12: pure v2 under systemd needs a delegated cgroup, else a clear refusal', (t) => {
  const layout = parseCgroupMounts(DEBIAN12);
  t.is(layout.kind, 'unified');
  t.deepEqual(cgroupMountSpecs(layout.hierarchies), [':cgroup2']);
  const own = ownV2Cgroup('0::/user.slice/user-0.slice/session-1.scope\n');
  t.is(own, '/user.slice/user-0.slice/session-1.scope');
  const refused = cgroupBase(layout, 'systemd', () => false, own);
  t.true('problem' in refused);
  if ('problem' in refused) t.regex(refused.problem, /not delegated.*systemd-run --scope -p Delegate=yes/);
  t.deepEqual(cgroupBase(layout, 'systemd', (d) => d === '/sys/fs/cgroup/run-u42.scope', '/run-u42.scope'), { base: '/run-u42.scope/labsmith' });
});

test('systemd owning a v1 layout, or no cgroup mounted: refused, nothing half-started', (t) => {
  const v1 = cgroupBase(parseCgroupMounts(HYBRID), 'systemd', () => true, '/');
  t.true('problem' in v1 && /does not delegate/.test(v1.problem));
  const none = cgroupBase(parseCgroupMounts(''), 'process_api', () => true, undefined);
  t.true('problem' in none && /no cgroup hierarchy/.test(none.problem));
});
