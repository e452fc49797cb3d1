// What down recognises as left behind by a killed up, from command lines alone.
import test from 'ava';
import { isUpHelper } from '../../src/emulate/down.js';

const dir = '/var/lib/labsmith/k101';

test('a host still starting (its launcher, its init), ssh-keygen and the /etc copy of this lab are up helpers', (t) => {
  t.true(isUpHelper(`ip netns exec lsm-k101.mls /usr/bin/unshare --mount -- /usr/bin/bash /x/scripts/emulate/host-init.sh ${dir}/run/hosts/mls`, dir));
  t.true(isUpHelper(`/usr/bin/bash /x/scripts/emulate/host-launch.sh ${dir}/run/hosts/mls lsm-k101.mls /sys/fs/cgroup/cpu/labsmith/k101/mls`, dir));
  t.true(isUpHelper(`/usr/bin/bash -c set -euo pipefail;/usr/bin/ssh-keygen -q -t ed25519 -N $'' -C labsmith@k101 -f ${dir}/id_ed25519`, dir));
  t.true(isUpHelper(`/usr/bin/cp -a /etc ${dir}/run/etc.lower`, dir));
});

test('another lab, or a user reading the state dir, is not', (t) => {
  t.false(isUpHelper(`/usr/bin/ssh-keygen -f /var/lib/labsmith/k101x/id_ed25519`, dir));
  t.false(isUpHelper(`less ${dir}/known_hosts`, dir));
  t.false(isUpHelper(`ssh -i ${dir}/id_ed25519 root@10.20.30.61`, dir));
});
