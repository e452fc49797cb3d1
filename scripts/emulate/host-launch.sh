#!/bin/bash
# labsmith emulated host: the holder, started by `labsmith emulate up` as
#   bash host-launch.sh HOST_DIR NETNS CGROUP_DIR...
# It joins the host's cgroup in every hierarchy (so the cgroup namespace that unshare makes
# is rooted there: the host's systemd sees that cgroup as its /), then becomes the host's
# namespaces and runs host-init.sh as their PID 1.
set -euo pipefail
host_dir=$1 netns=$2
shift 2
for dir in "$@"; do
  echo $$ >"$dir/cgroup.procs"
done
exec "${LS_IP:-ip}" netns exec "$netns" "${LS_UNSHARE:-unshare}" --mount --uts --ipc --pid --cgroup --fork --mount-proc \
  --propagation private -- "${LS_BASH:-bash}" "$(dirname "$0")/host-init.sh" "$host_dir"
