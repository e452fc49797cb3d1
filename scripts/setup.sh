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
# A kubectl reads the rendered kubeconfigs in the tests: Debian's (kubernetes-client), unless
# the machine has one already. Google's `kubectl` package owns the same /usr/bin/kubectl, and
# dpkg refuses to install kubernetes-client over it.
if ! command -v kubectl >/dev/null; then
  apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi
npm ci --no-audit --no-fund
# `labsmith` on PATH, running this checkout's build: the README's commands and every hint the
# tool prints then run as printed.
cat >/usr/local/bin/labsmith <<WRAPPER
#!/bin/sh
# Installed by labsmith's scripts/setup.sh: runs the labsmith of $(pwd).
exec node "$(pwd)/dist/src/cli/main.js" "\$@"
WRAPPER
chmod 755 /usr/local/bin/labsmith
