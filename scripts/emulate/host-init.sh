#!/bin/bash
# labsmith emulated host: PID 1 of the host's own pid namespace.
#
# Started by `labsmith emulate up` as
#   ip netns exec NETNS unshare --mount --uts --ipc --pid --fork --mount-proc \
#       --propagation private -- bash host-init.sh HOST_DIR
# so it already runs in the host's network namespace and in fresh mount, uts, ipc and pid
# namespaces. HOST_DIR (prepared by labsmith) holds host.env (what to do), net.batch (the
# host's addresses and routes, for `ip -batch`), etc.upper (files this host sees in /etc
# over the lab's /etc snapshot) and fs/{opt,var,root,tmp,run} (its private directories).
#
# It sets up the host's filesystem view, network and daemons, writes "ready" on fd 3 (or
# "error: ..." and exits), closes fd 3, then stays as PID 1 reaping orphans. `labsmith
# emulate down` ends it with SIGKILL, which ends every process of the pid namespace.
set -euo pipefail

HOST_DIR=$1
# shellcheck source=/dev/null
. "$HOST_DIR/host.env"

fail() {
  echo "labsmith host-init ($LS_NAME): $*" >&2
  echo "error: $*" >&3 || true
  exit 1
}
trap 'fail "line $LINENO: $BASH_COMMAND exited $?"' ERR

# Network: addresses, routes, forwarding (router only).
ip -batch "$HOST_DIR/net.batch"
if [ "$LS_FORWARD" = 1 ]; then
  echo 1 >/proc/sys/net/ipv4/ip_forward
fi

# This namespace began as a copy of the machine's mounts, /run/netns/* (other labs'
# namespace files) included. Those copies need no cleanup: deleting a mount point's file
# (ip netns del) detaches its mounts in every mount namespace (Linux >= 3.18), and the test
# of two labs checks no copy outlives a down.

# Filesystem view. /etc: the lab's snapshot of the machine's /etc, read-only, under this
# host's own upper layer. /opt /var /root /tmp /run: private directories. The one that
# holds HOST_DIR itself (when the state dir lives under /var, /tmp, ...) is mounted last,
# since it hides the sources of the others.
mount -t overlay "lsm-etc" -o "lowerdir=$LS_ETC_LOWER,upperdir=$HOST_DIR/etc.upper,workdir=$HOST_DIR/etc.work" /etc
last=
for d in opt root tmp run var; do
  case "$HOST_DIR/" in
    "/$d/"*) last=$d ;;
    *) mount --bind "$HOST_DIR/fs/$d" "/$d" ;;
  esac
done
if [ -n "$last" ]; then
  mount --bind "$HOST_DIR/fs/$last" "/$last"
else
  # The state directory is outside the directories made private: cover it, so the host sees
  # neither the lab's key nor the other hosts' files.
  mount -t tmpfs -o ro,size=4k,mode=0755 "lsm-hide" "$LS_LAB_DIR"
fi
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev "lsm-shm" /dev/shm
# Everything else of the machine (/usr, /home, ...) is visible read-only: this changes the
# flag of this namespace's copy of the root mount only.
mount -o remount,bind,ro /
hostname "$LS_NAME"

# sshd listens on the host's lab addresses and on 127.0.0.1; it writes /run/sshd.pid once
# it listens, before this returns.
"$LS_SSHD" -f /etc/ssh/sshd_config -E /var/log/sshd.log

if [ "$LS_FRR" = 1 ]; then
  for daemon in zebra staticd; do
    "$LS_FRR_DIR/$daemon" -d -A 127.0.0.1 -P 0 -i "/run/frr/$daemon.pid" --log "file:/var/log/frr/$daemon.log"
  done
  # Load the integrated configuration (/etc/frr/frr.conf), as frrinit.sh does.
  vtysh -b >/dev/null
fi

echo ready >&3
exec 3>&-
trap - ERR
set +e

# PID 1: bash reaps every child it is handed (sessions whose parents died) in its SIGCHLD
# handling while it waits.
while :; do
  sleep infinity &
  wait $!
done
