// The files an emulated host starts from, as text (pure): its sshd configuration, /etc
// basics, the router's minimal FRR files, the init script's environment and the `ip -batch`
// scripts for the fabric and for each host.
import { shellQuoteArg } from '../remote/quote.js';
import type { EmuHost, Topology } from './topology.js';

export function sshdConfig(host: EmuHost, port: number): string {
  return [
    `# labsmith emulated host ${host.name}: sshd for labsmith's own key only`,
    `Port ${port}`,
    // Every address of the host's own network namespace (lab addresses and loopback): the
    // namespace holds nothing else, and an address that moves in a reconcile stays served.
    'ListenAddress 0.0.0.0',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    'PrintMotd no',
    'X11Forwarding no',
    'MaxStartups 64:30:200',
    'PidFile /run/sshd.pid',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

export function hostsFile(host: EmuHost): string {
  return [
    '127.0.0.1\tlocalhost',
    `${host.address}\t${host.name}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '',
  ].join('\n');
}

/** sshd without PAM refuses a locked account ("!" in shadow): unlock root in the host's view. */
export function unlockRoot(shadow: string): string | undefined {
  let changed = false;
  const out = shadow.split('\n').map((line) => {
    const f = line.split(':');
    if (f[0] === 'root' && f[1] !== undefined && f[1].startsWith('!')) {
      changed = true;
      f[1] = '*';
      return f.join(':');
    }
    return line;
  });
  return changed ? out.join('\n') : undefined;
}

export function frrConf(host: EmuHost): string {
  return [
    'frr defaults traditional',
    `hostname ${host.name}`,
    'log file /var/log/frr/frr.log informational',
    'service integrated-vtysh-config',
    '!',
    '! labsmith emulate: no routes; labsmith apply pushes the lab\'s MLS routes.',
    '!',
    '',
  ].join('\n');
}

export function frrDaemons(): string {
  return [
    '# labsmith emulate: the daemons its init starts',
    'zebra=yes',
    'staticd=yes',
    ...['bgpd', 'ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'pimd', 'ldpd', 'nhrpd', 'eigrpd', 'babeld', 'sharpd', 'pbrd', 'bfdd', 'fabricd', 'vrrpd', 'pathd'].map((d) => `${d}=no`),
    'vtysh_enable=yes',
    'zebra_options="  -A 127.0.0.1 -P 0"',
    'staticd_options="-A 127.0.0.1 -P 0"',
    '',
  ].join('\n');
}

export const VTYSH_CONF = 'service integrated-vtysh-config\n';

export interface HostEnv {
  name: string;
  /** The lab's state directory (hidden from the host). */
  labDir: string;
  etcLower: string;
  sshd: string;
  frrDir: string;
}

export function hostEnvFile(host: EmuHost, env: HostEnv): string {
  const vars: [string, string][] = [
    ['LS_NAME', host.name],
    ['LS_KIND', host.kind],
    ['LS_FORWARD', host.kind === 'router' ? '1' : '0'],
    ['LS_FRR', host.kind === 'router' ? '1' : '0'],
    ['LS_ETC_LOWER', env.etcLower],
    ['LS_LAB_DIR', env.labDir],
    ['LS_SSHD', env.sshd],
    ['LS_FRR_DIR', env.frrDir],
  ];
  return vars.map(([k, v]) => `${k}=${shellQuoteArg(v)}`).join('\n') + '\n';
}

/** `ip -batch` inside the host's namespace: its addresses and default route. */
export function hostNetBatch(host: EmuHost): string {
  const lines = ['link set lo up'];
  if (host.loopback) lines.push(`addr add ${host.loopback}/32 dev lo`);
  for (const i of host.interfaces) {
    lines.push(`addr add ${i.address}/${i.prefixLength} dev ${i.ifname}`, `link set ${i.ifname} up`);
  }
  if (host.gateway) lines.push(`route add default via ${host.gateway}`);
  return lines.join('\n') + '\n';
}

/** `ip -batch` creating the namespaces. */
export function netnsAddBatch(t: Topology): string {
  return [t.fabric, ...t.hosts.map((h) => h.netns)].map((n) => `netns add ${n}`).join('\n') + '\n';
}

/** `ip -n <fabric> -batch`: one bridge per segment, one veth pair per host interface. */
export function fabricBatch(t: Topology): string {
  const lines = ['link set lo up'];
  for (const b of t.bridges) lines.push(`link add ${b.name} type bridge`, `link set ${b.name} up`);
  for (const h of t.hosts) {
    for (const i of h.interfaces) {
      lines.push(`link add ${i.peer} type veth peer name ${i.ifname} netns ${h.netns}`, `link set ${i.peer} master ${i.bridge} up`);
    }
  }
  return lines.join('\n') + '\n';
}
