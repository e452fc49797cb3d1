#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for labsmith: the system packages the emulated lab
# and the tests use, then the npm dependencies and the build. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with REQUIRED_PACKAGES in src/emulate/preflight.ts; python3 is what the
# emulated hosts run verify's probes and probe-pod listener with (src/verify/run.ts checks it).
# docker.io, busybox-static and openssl: the Kubernetes stand-ins run pods on docker from a
# busybox image built offline, and make serving certificates (scripts/standins/); the PKI tests
# check every certificate with openssl verify and s_server; ipset is what the proxy tests load
# ipvs mode's sets with (test/proxy/netns.test.ts).
PACKAGES=(iproute2 openssh-server openssh-client frr iptables iputils-ping socat systemd procps util-linux python3
  docker.io busybox-static openssl ipset)

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages: ${PACKAGES[*]})" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
# A kubectl reads the rendered kubeconfigs in the tests: Debian's (kubernetes-client), unless
# the machine has one already. Google's `kubectl` package owns the same /usr/bin/kubectl, and
# dpkg refuses to install kubernetes-client over it.
if ! command -v kubectl >/dev/null; then
  apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi
# Debian starts these services on install where an init runs; labsmith starts its own copies
# inside its namespaces and needs nothing from the machine's.
npm ci --no-audit --no-fund
