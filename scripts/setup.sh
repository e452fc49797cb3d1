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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
# Debian starts these services on install where an init runs; labsmith starts its own copies
# inside its namespaces and needs nothing from the machine's.
npm ci --no-audit --no-fund
