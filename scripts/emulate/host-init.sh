#!/bin/bash
# labsmith emulated host: PID 1 of the host's own pid namespace, until it becomes systemd.
#
# Started by scripts/emulate/host-launch.sh as
#   ip netns exec NETNS unshare --mount --uts --ipc --pid --cgroup --fork --mount-proc \
#       --propagation private -- bash host-init.sh HOST_DIR
# so it already runs in the host's network namespace and in fresh mount, uts, ipc, pid and
# cgroup namespaces. HOST_DIR (prepared by labsmith) holds host.env (what to do), net.batch
# (the host's addresses and routes, for `ip -batch`), etc.upper (files this host sees in /etc
# over the lab's /etc snapshot: its name, keys, sshd config, machine-id and unit set) and
# fs/{opt,var,root,tmp,run} (its private directories).
#
# It gives the host what a container manager gives systemd (a private /dev, /proc/sys
# read-only but for net, /sys read-only with the host's own cgroup hierarchies mounted), so
# that nothing the host's systemd does reaches the machine; then it writes "booting" on fd 3
# (or "error: ..." and exits), closes fd 3 and execs systemd. labsmith then waits for
# `systemctl is-system-running`. `labsmith emulate down` ends it with SIGKILL, which ends
# every process of the pid namespace.
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

# This namespace began as a copy of the machine's mounts: other labs' runtime tmpfs and
# namespace files included. They are let go here, so this host pins none of them.
awk '{ split($0, a, " - "); split(a[2], b, " ") }
  $5 ~ "^/run/netns/." || (b[1] == "tmpfs" && b[2] ~ "^lsm-run-") { print $5 }' /proc/self/mountinfo | sort -r |
  while read -r m; do [ "${HOST_DIR#"$m"/}" = "$HOST_DIR" ] && umount -l "$m" 2>/dev/null || true; done

# /etc: the lab's snapshot of the machine's /etc, read-only, under this host's upper layer.
mount -t overlay "lsm-etc" -o "lowerdir=$LS_ETC_LOWER,upperdir=$HOST_DIR/etc.upper,workdir=$HOST_DIR/etc.work" /etc

# A private /dev: the harmless devices, a pty instance of its own, and a console that is a file.
mount -t tmpfs -o mode=755,size=1m,nosuid "lsm-dev" /dev
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$n"
  mknod -m 666 "/dev/$name" c "$major" "$minor"
done
mkdir /dev/pts /dev/shm /dev/mqueue
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
ln -s pts/ptmx /dev/ptmx
touch /dev/console "$HOST_DIR/console.log"
mount --bind "$HOST_DIR/console.log" /dev/console
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5,nosuid,noexec "lsm-pts" /dev/pts
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev "lsm-shm" /dev/shm
mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue

# The kernel's settings are the machine's: read-only here, but for this host's own network.
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,rw /proc/sys/net

# /sys read-only (ip netns exec mounted this network namespace's own), and over
# /sys/fs/cgroup the hierarchies this cgroup namespace sees, rooted at the host's cgroup.
mount -o remount,bind,ro,nosuid,nodev,noexec /sys
if [ "$LS_CGROUPS" = ":cgroup2" ]; then
  mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
else
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec "lsm-cgroup" /sys/fs/cgroup
  for spec in $LS_CGROUPS; do
    name=${spec%%:*} opts=${spec#*:}
    dir=/sys/fs/cgroup/$name
    mkdir -p "$dir"
    if [ "$opts" = cgroup2 ]; then
      mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$dir"
    else
      mount -t cgroup -o "nosuid,nodev,noexec,$opts" cgroup "$dir"
    fi
  done
  mount -o remount,bind,ro /sys/fs/cgroup
fi

# Where the lab's OS family keeps a program Debian keeps elsewhere (docker-ce's
# /usr/bin/dockerd on CentOS 7): an overlay of /usr/bin with links, this host's only.
if [ -n "${LS_USR_BIN:-}" ]; then
  mount -t overlay "lsm-usrbin" -o "lowerdir=/usr/bin,upperdir=$HOST_DIR/usrbin.upper,workdir=$HOST_DIR/usrbin.work" /usr/bin
fi

# /opt /var /root /tmp /run: private directories. The one that holds HOST_DIR itself (when
# the state dir lives under /var, /tmp, ...) is mounted last, since it hides the sources of
# the others.
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
# Everything else of the machine (/usr, /home, ...) is visible read-only: this changes the
# flag of this namespace's copy of the root mount only.
mount -o remount,bind,ro /
hostname "$LS_NAME"

echo booting >&3
exec 3>&-
trap - ERR
export container=labsmith
exec /lib/systemd/systemd </dev/console >/dev/console 2>&1
