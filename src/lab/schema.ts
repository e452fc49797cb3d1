// The lab file's shape: the one definition from which both the validator and the shipped
// JSON Schema (schema/lab.schema.json, via scripts/gen-schema.ts) come.
import { z } from 'zod';
import { OS_FAMILIES, PLATFORMS, PROXY_MODES, ROLES, type OsFamily, type Platform, type ProxyMode } from './constants.js';

// A DNS label keeps names usable as hostnames, namespace names and file names, and keeps
// anything a shell would interpret out of them.
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be a DNS label: lower-case letters, digits and "-", 1 to 63 characters, starting and ending with a letter or digit',
  });

// Address syntax is checked here; host bits, overlap and containment are checked by the
// semantic validator with ip-num, which can say what was probably meant.
const ipv4 = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: 'must be an IPv4 address such as 10.20.30.61' });
const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'must be an IPv4 prefix in CIDR notation such as 10.10.10.0/24' });
const port = z.number().int().min(1, { message: 'must be a port from 1 to 65535' }).max(65535, { message: 'must be a port from 1 to 65535' });
const labels = z.record(z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/), z.string().max(63));

export { OS_FAMILIES, PLATFORMS, PROXY_MODES, ROLES, type OsFamily, type Platform, type ProxyMode };

export const kubernetesSchema = z.strictObject({
  // A string only: YAML reads an unquoted 1.10 as the number 1.1 (see unquotedVersion).
  version: z
    .string()
    .default('legacy')
    .describe('"legacy" for the 2014-15 flag dialect (--portal_net, --etcd_servers), or a release such as "1.11" or "1.28", quoted: unquoted, 1.10 is the number 1.1'),
  serviceRange: cidr.describe('portal net / --service-cluster-ip-range; overlaps nothing and is never routed'),
  clusterCidr: cidr.optional().describe('pod CIDRs are allocated from it, in node order, where a node names none'),
  nodeCidrMask: z.number().int().min(8).max(30).default(24).describe('prefix length of allocated pod CIDRs'),
  proxyMode: z.enum(PROXY_MODES).optional().describe('default: userspace for legacy and versions before 1.2, iptables after'),
  nodePortRange: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, { message: 'must be a port range such as 30000-32767' })
    .default('30000-32767'),
  apiserverPort: port.optional().describe('default: 8080 for legacy, 6443 for 1.x'),
  etcdPort: port.optional().describe('default: 4001 for legacy, 2379 for 1.x'),
  binDir: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]*$/, { message: 'must be an absolute path of letters, digits, ".", "_", "-" and "/"' })
    .default('/opt/kubernetes'),
  clusterDomain: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, { message: 'must be a DNS name such as cluster.local: dot-separated labels of lower-case letters, digits and "-"' })
    .default('cluster.local')
    .describe("1.x labs: the kubelet's --cluster-domain, and the apiserver certificate's kubernetes.default.svc.<clusterDomain>"),
});

export const segmentSchema = z.strictObject({
  name: dnsLabel,
  cidr,
  gateway: ipv4.describe("the MLS's address on this segment, every node's default gateway"),
});

export const routerSchema = z.strictObject({
  name: dnsLabel.default('mls'),
  platform: z.enum(PLATFORMS),
  address: ipv4.describe('where labsmith reaches the switch over SSH (frr, vyos and linux can be pushed)'),
});

export const nodeSchema = z.strictObject({
  name: dnsLabel,
  role: z.enum(ROLES).describe('master, or minion (node and worker are accepted for minion)'),
  address: ipv4,
  podCidr: cidr.optional().describe("the node's docker0 subnet; allocated from kubernetes.clusterCidr when absent"),
  os: z.enum(OS_FAMILIES).optional().describe("overrides the lab's os for this node"),
});

export const sshSchema = z.strictObject({
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: 'must be a POSIX user name' }).default('root'),
  port: port.default(22),
  identityFile: z.string().optional().describe('else ssh-agent and ~/.ssh/config'),
});

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export const PROTOCOLS = ['TCP', 'UDP'] as const;
const protocol = z.enum(PROTOCOLS);

export const servicePortSchema = z.strictObject({
  name: dnsLabel.optional().describe('required when the service has more than one port; unique within the service'),
  port,
  targetPort: port.optional().describe('default: port'),
  protocol: protocol.default('TCP'),
  nodePort: port.optional().describe('NodePort and LoadBalancer services only; allocated from nodePortRange when absent'),
});

// A service gives its ports either as a `ports:` list or as today's one-port shorthand
// (port, targetPort, protocol, nodePort on the service itself), never both.
export const serviceSchema = z
  .strictObject({
    name: dnsLabel,
    namespace: dnsLabel.default('default'),
    type: z.enum(SERVICE_TYPES).default('ClusterIP'),
    clusterIP: ipv4.optional().describe('allocated from serviceRange when absent'),
    ports: z.array(servicePortSchema).min(1, { message: 'needs at least one port' }).optional().describe('the long form; or the one-port shorthand port, targetPort, protocol, nodePort'),
    port: port.optional().describe('one-port shorthand (instead of ports:)'),
    targetPort: port.optional().describe('one-port shorthand; default: port'),
    protocol: protocol.optional().describe('one-port shorthand; default: TCP'),
    nodePort: port.optional().describe('one-port shorthand; NodePort and LoadBalancer services only; allocated from nodePortRange when absent'),
    selector: labels,
    externalIPs: z.array(ipv4).default([]).describe('addresses outside every lab range that the nodes answer for this service'),
    loadBalancerIP: ipv4.optional().describe('LoadBalancer services only: the address the load balancer (the MLS) announces'),
  })
  .superRefine((s, ctx) => {
    const shorthand = (['port', 'targetPort', 'protocol', 'nodePort'] as const).filter((k) => s[k] !== undefined);
    if (s.ports !== undefined && shorthand.length) {
      ctx.addIssue({ code: 'custom', path: [shorthand[0]!], message: `give the ports either as ports: or as the one-port shorthand, not both (move ${shorthand.join(', ')} into ports:)` });
    } else if (s.ports === undefined && s.port === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs its ports: add ports: [{ port: 80 }] or the shorthand port: 80' });
    }
  });

export const containerSchema = z.strictObject({
  name: dnsLabel,
  image: z.string().optional(),
  port: port.optional().describe('the containerPort it listens on; containers of a pod share its address'),
});

// Likewise a workload names its containers, or is today's one-container shorthand (port, image).
export const workloadSchema = z
  .strictObject({
    name: dnsLabel,
    namespace: dnsLabel.default('default'),
    replicas: z.number().int().min(0, { message: 'must be 0 or more' }).default(1),
    labels,
    containers: z.array(containerSchema).min(1, { message: 'needs at least one container' }).optional().describe('the long form; or the one-container shorthand port, image'),
    port: port.optional().describe('one-container shorthand: the containerPort every replica listens on'),
    image: z.string().optional().describe('one-container shorthand'),
  })
  .superRefine((w, ctx) => {
    const shorthand = (['port', 'image'] as const).filter((k) => w[k] !== undefined);
    if (w.containers !== undefined && shorthand.length) {
      ctx.addIssue({ code: 'custom', path: [shorthand[0]!], message: `give the containers either as containers: or as the one-container shorthand, not both (move ${shorthand.join(', ')} into containers:)` });
    } else if (w.containers === undefined && w.port === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs its containers: add containers: [{ name: web, port: 80 }] or the shorthand port: 80' });
    }
  });

export const labFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: dnsLabel,
  os: z.enum(OS_FAMILIES).default('debian12'),
  kubernetes: kubernetesSchema,
  segments: z.array(segmentSchema).min(1, { message: 'needs at least one segment' }),
  router: routerSchema,
  nodes: z.array(nodeSchema).min(1, { message: 'needs at least one node' }),
  ssh: sshSchema.default({ user: 'root', port: 22 }),
  services: z.array(serviceSchema).default([]),
  workloads: z.array(workloadSchema).default([]),
});

export type LabFile = z.output<typeof labFileSchema>;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export type Protocol = (typeof PROTOCOLS)[number];
