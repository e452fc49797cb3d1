// The remote commands verify runs: constant scripts, with everything from the lab passed as
// positional arguments (`sh -c SCRIPT labsmith-verify ARG...`), never spliced into shell text.
// The two Python programs (the pods' listener and the prober) ship in scripts/verify/.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packagePath } from '../core/package-root.js';
import { NET_FACTS_SCRIPT } from '../hosts/net-facts.js';
import { ANSWER_TIMEOUT_MS, POD_NETNS_PREFIX, PROBE_TIMEOUT_MS, VERIFY_RUN_DIR } from './names.js';

const SCRIPT_DIR = packagePath('scripts', 'verify');
const cache = new Map<string, string>();
export function pythonSource(name: 'listener' | 'prober'): string {
  let src = cache.get(name);
  if (src === undefined) {
    src = readFileSync(path.join(SCRIPT_DIR, `${name}.py`), 'utf8');
    cache.set(name, src);
  }
  return src;
}

/** Short hash of the listener's code: a node keeps a running listener only if it matches. */
export const listenerCode = (): string => createHash('sha256').update(pythonSource('listener')).digest('hex').slice(0, 12);

/** What verify reads of every node: the network facts apply reads too. */
const NODE_FACTS = NET_FACTS_SCRIPT;

/** Facts of a node, then its probe pods made or checked, then its listener.
 * Args: LISTENER_SRC CODE N, N times (NETNS VETH ADDR/LEN GATEWAY), then NETNS PORT pairs. */
export const NODE_PREPARE_SCRIPT = `set -u
src=$1 code=$2 n=$3
shift 3
${NODE_FACTS}echo "@pods"
wanted=" "
restart=0
i=0
while [ "$i" -lt "$n" ]; do
  ns=$1 veth=$2 addr=$3 gw=$4
  shift 4
  i=$((i + 1))
  wanted="$wanted$ns "
  made=
  if [ ! -e "/run/netns/$ns" ]; then
    ip link del dev "$veth" 2>/dev/null
    if ! err=$(ip netns add "$ns" 2>&1); then echo "pod $ns error cannot make the namespace: $err" | tr '\\n' ' '; echo; continue; fi
    made=1
  fi
  link=$(ip -o link show dev "$veth" 2>/dev/null)
  if [ -z "$link" ]; then
    ip -n "$ns" link del dev eth0 2>/dev/null
    if ! err=$(ip link add "$veth" type veth peer name eth0 netns "$ns" 2>&1); then echo "pod $ns error cannot make veth $veth: $err" | tr '\\n' ' '; echo; continue; fi
    ip link set dev "$veth" alias "labsmith verify probe pod $ns"
    made=1
  fi
  case "$link" in *" master docker0 "*) ;; *)
    if ! err=$(ip link set dev "$veth" master docker0 2>&1); then echo "pod $ns error cannot attach $veth to docker0: $err" | tr '\\n' ' '; echo; continue; fi
    made=1 ;;
  esac
  case "$link" in *"<"*",UP"*) ;; *) ip link set dev "$veth" up ;; esac
  have=$(ip -n "$ns" -o -4 addr show dev eth0 2>/dev/null | awk '{print $4}')
  if [ "$have" != "$addr" ]; then
    ip -n "$ns" addr flush dev eth0 2>/dev/null
    ip -n "$ns" addr add "$addr" dev eth0
    made=1
  fi
  if ! err=$(printf 'link set lo up\\nlink set eth0 up\\nroute replace default via %s dev eth0\\n' "$gw" | ip -n "$ns" -batch - 2>&1); then
    echo "pod $ns error cannot set up eth0 or the default route via $gw: $err" | tr '\\n' ' '; echo; continue
  fi
  if [ -n "$made" ]; then restart=1; echo "pod $ns made"; else echo "pod $ns ok"; fi
done
for f in /run/netns/${POD_NETNS_PREFIX}*; do
  [ -e "$f" ] || continue
  ns=\${f##*/}
  case "$wanted" in *" $ns "*) continue ;; esac
  # The veth goes first: the namespace itself outlives its name while the old listener
  # holds sockets in it, and its eth0 would go on answering for its address on docker0.
  ip -n "$ns" link del dev eth0 2>/dev/null
  ip netns del "$ns" && echo "pod $ns removed" && restart=1
done
# A pod made, moved or removed leaves neighbour entries naming the old owner's MAC (in the
# node's docker0 table and in the other pods'), and docker0's own MAC follows its ports:
# forget them all, so the first probe resolves afresh instead of waiting for them to expire.
if [ "$restart" = 1 ]; then
  ip neigh flush dev docker0 2>/dev/null
  for ns in $wanted; do ip -n "$ns" neigh flush all 2>/dev/null; done
fi
echo "@listener"
# The running listener is kept when it serves exactly these pods with this code (its command
# line says so: python3 -S listener.py PIDFILE CODE RESTART NETNS PORT...), without starting Python.
kept=
if [ "$restart" = 0 ] && pid=$(cat ${VERIFY_RUN_DIR}/listener.pid 2>/dev/null) && [ -r "/proc/$pid/cmdline" ]; then
  have=$(tr '\\0' '\\n' <"/proc/$pid/cmdline" | sed -e 1,4d -e 6d)
  want=$(printf '%s\\n' "$code" "$@")
  [ "$have" = "$want" ] && kept=$pid
fi
if [ -n "$kept" ]; then
  echo "listener kept $kept"
elif command -v python3 >/dev/null 2>&1; then
  mkdir -p ${VERIFY_RUN_DIR} && printf '%s' "$src" >${VERIFY_RUN_DIR}/listener.py.tmp && mv -f ${VERIFY_RUN_DIR}/listener.py.tmp ${VERIFY_RUN_DIR}/listener.py
  python3 -S ${VERIFY_RUN_DIR}/listener.py ${VERIFY_RUN_DIR}/listener.pid "$code" "$restart" "$@" 2>&1 | tail -n 3
else
  echo "listener nopython"
fi
echo "@end"
`;

/** Facts of a node that has no pods (a master): the same sections, no pods, no listener. */
export const NODE_FACTS_SCRIPT = `${NODE_FACTS}echo "@end"
`;

/** The switch's routing table, read back, and its forwarding switch. */
export function routerFactsScript(platform: 'frr' | 'linux'): string {
  const table = platform === 'frr' ? `vtysh -c 'show ip route json' 2>&1 || echo "@error vtysh exited $?"` : `ip -j route show table main 2>&1 || echo "@error ip exited $?"`;
  return `echo "@forwarding"\ncat /proc/sys/net/ipv4/ip_forward\necho "@routes"\n${table}\necho "@end"\n`;
}

/** Runs the prober with the host's probes. Args: PROBER_SRC TIMEOUT_MS ANSWER_MS (KIND NETNS DST PORT)... */
export const PROBE_SCRIPT = `command -v python3 >/dev/null 2>&1 || { echo "@nopython"; exit 0; }
src=$1
shift
exec python3 -S -c "$src" "$@"
`;

/** Removes every probe pod and the listener (verify --cleanup). */
export const CLEANUP_SCRIPT = `for f in /run/netns/${POD_NETNS_PREFIX}*; do
  [ -e "$f" ] || continue
  ns=\${f##*/}
  ip -n "$ns" link del dev eth0 2>/dev/null
  ip netns del "$ns" && echo "removed $ns"
done
if [ -f ${VERIFY_RUN_DIR}/listener.pid ]; then
  pid=$(cat ${VERIFY_RUN_DIR}/listener.pid)
  if grep -q labsmith "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" && echo "stopped listener $pid"; fi
fi
rm -rf ${VERIFY_RUN_DIR}
echo "@end"
`;

export interface PodSetup {
  netns: string;
  veth: string;
  /** "10.10.10.2/24" */
  address: string;
  gateway: string;
}

export function nodePrepareArgv(pods: readonly PodSetup[], listen: readonly { netns: string; port: number }[]): string[] {
  return [
    'sh', '-c', NODE_PREPARE_SCRIPT, 'labsmith-verify',
    pythonSource('listener'), listenerCode(), String(pods.length),
    ...pods.flatMap((p) => [p.netns, p.veth, p.address, p.gateway]),
    ...listen.flatMap((l) => [l.netns, String(l.port)]),
  ];
}

export const nodeFactsArgv = (): string[] => ['sh', '-c', NODE_FACTS_SCRIPT, 'labsmith-verify'];
export const routerFactsArgv = (platform: 'frr' | 'linux'): string[] => ['sh', '-c', routerFactsScript(platform), 'labsmith-verify'];
export const cleanupArgv = (): string[] => ['sh', '-c', CLEANUP_SCRIPT, 'labsmith-verify'];

export interface WireProbe {
  kind: 'tcp' | 'icmp';
  /** '-' for the host's own namespace. */
  netns: string;
  dst: string;
  port: number;
}

export function probeArgv(probes: readonly WireProbe[], timeoutMs = PROBE_TIMEOUT_MS, answerMs = ANSWER_TIMEOUT_MS): string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'labsmith-verify', pythonSource('prober'), String(timeoutMs), String(answerMs), ...probes.flatMap((p) => [p.kind, p.netns, p.dst, String(p.port)])];
}
