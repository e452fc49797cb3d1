#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for labsmith: the system packages the emulated lab
# and the tests use, then the npm dependencies and the build. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The package list is scripts/apt-packages.txt (also read by the emulated lab's preflight):
# one name a line, a comment after '#'.
mapfile -t PACKAGES < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' scripts/apt-packages.txt)

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages: ${PACKAGES[*]})" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# Debian starts docker, etcd, frr and sshd on install where an init runs. labsmith boots its
# own copies inside its emulated hosts and wants the machine's left alone: a policy-rc.d
# forbids every start for the length of the install (one already there is kept as it is).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# labsmith setup.sh: no service starts during its install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
npm ci --no-audit --no-fund
