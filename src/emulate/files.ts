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
    '# labsmith emulate: the daemons frr.service starts',
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
  /** The hierarchies to mount inside: "memory:memory", "systemd:none,name=systemd", "unified:cgroup2". */
  cgroups: string[];
  /** /usr/bin gets an overlay of links (usrbin.upper). */
  usrBin: boolean;
}

export function hostEnvFile(host: EmuHost, env: HostEnv): string {
  const vars: [string, string][] = [
    ['LS_NAME', host.name],
    ['LS_KIND', host.kind],
    ['LS_FORWARD', host.kind === 'router' ? '1' : '0'],
    ['LS_ETC_LOWER', env.etcLower],
    ['LS_LAB_DIR', env.labDir],
    ['LS_SSHD', env.sshd],
    ['LS_FRR_DIR', env.frrDir],
    ['LS_CGROUPS', env.cgroups.join(' ')],
    ['LS_USR_BIN', env.usrBin ? '1' : ''],
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

/** Where a host's systemd finds its units: the machine's enabled units hidden (opaque .wants
 * directories in the upper layer of /etc), what a container must not run masked, and the
 * few services labsmith's host needs enabled. The units apply pushes and starts come on top. */
export interface UnitSet {
  /** Directories under /etc/systemd/system made opaque (the machine's links are not seen). */
  opaque: string[];
  /** name -> link target under /etc/systemd/system ("/dev/null" masks). */
  links: [string, string][];
}

export const OPAQUE_WANTS = ['multi-user.target.wants', 'timers.target.wants', 'sockets.target.wants', 'getty.target.wants', 'sysinit.target.wants', 'graphical.target.wants', 'network-online.target.wants'];

/** Units no emulated host runs: they would load modules, mount kernel file systems, take a
 * console, or manage the machine (its sessions, time, disks). */
export const MASKED_UNITS = [
  'systemd-modules-load.service', 'modprobe@.service', 'kmod-static-nodes.service', 'dev-hugepages.mount', 'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount', 'sys-kernel-config.mount', 'sys-fs-fuse-connections.mount', 'proc-sys-fs-binfmt_misc.automount',
  'systemd-binfmt.service', 'systemd-remount-fs.service', 'console-getty.service', 'getty@.service', 'getty.target', 'systemd-logind.service',
  'e2scrub_reap.service', 'systemd-pstore.service', 'systemd-timesyncd.service', 'systemd-firstboot.service', 'systemd-repart.service',
  'systemd-pcrphase.service', 'systemd-pcrphase-sysinit.service', 'systemd-ask-password-wall.path', 'systemd-ask-password-console.path',
  // The machine's users, kernel settings (read-only here but for net), logins and boot records
  // are the machine's business: these cost a host's boot time and change nothing of its own.
  'systemd-sysusers.service', 'systemd-sysctl.service', 'systemd-user-sessions.service', 'systemd-update-utmp.service',
  'systemd-update-utmp-runlevel.service', 'systemd-journal-flush.service', 'systemd-random-seed.service', 'systemd-machine-id-commit.service',
  'systemd-journald-audit.socket', 'systemd-initctl.socket',
];

export function unitSet(host: EmuHost): UnitSet {
  const lib = '/lib/systemd/system';
  const wants = ['ssh.service', ...(host.kind === 'router' ? ['frr.service'] : [])];
  return {
    opaque: OPAQUE_WANTS,
    links: [
      ['default.target', `${lib}/multi-user.target`],
      ...wants.map((u): [string, string] => [`multi-user.target.wants/${u}`, `${lib}/${u}`]),
      ...MASKED_UNITS.map((u): [string, string] => [u, '/dev/null']),
    ],
  };
}

/** A machine-id of the host's own (systemd and journald key their state by it). */
export function machineId(random: () => Buffer): string {
  return `${random().subarray(0, 16).toString('hex')}\n`;
}
