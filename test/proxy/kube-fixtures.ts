// Kubernetes' own v1.28 kube-proxy test expectations, read from ../shared/reference/
// kube-proxy-tests beside the repository (another project's data: never copied in here).
// input.txt describes the fake proxier and the services in prose; this turns it into the
// ProxyInput those services mean.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProxyInput, ProxyServicePort } from '../../src/proxy/index.js';
import { ROOT } from '../helpers/paths.js';

export const FIXTURE_DIR = path.resolve(ROOT, '..', 'shared', 'reference', 'kube-proxy-tests');

export interface KubeFixture {
  name: string;
  input: ProxyInput;
  restore: string;
  save: string;
  /** The jumps input.txt says kube-proxy adds outside iptables-restore (nat only). */
  natJumps: string[];
}

export function readFixture(name: string): KubeFixture {
  const dir = path.join(FIXTURE_DIR, name);
  if (!existsSync(dir)) throw new Error(`kubernetes' test expectations are missing: ${dir} (they live in shared/reference beside the repository)`);
  const text = readFileSync(path.join(dir, 'input.txt'), 'utf8');
  return {
    name,
    input: parseInput(text),
    restore: readFileSync(path.join(dir, 'expected.kube-proxy-restore.txt'), 'utf8'),
    save: readFileSync(path.join(dir, 'expected.iptables-save.txt'), 'utf8'),
    natJumps: [...text.matchAll(/^\s+(-A (?:PREROUTING|OUTPUT|POSTROUTING) .*)$/gm)].map((m) => m[1]!.trim()),
  };
}

const one = (re: RegExp, text: string): string | undefined => re.exec(text)?.[1];
const list = (inner: string | undefined) => (inner ?? '').split(',').map((s) => s.replace(/"/g, '').trim()).filter(Boolean);

export function parseInput(text: string): ProxyInput {
  const version = one(/kube-proxy version: (\d+\.\d+)/, text)!;
  const nodeIP = one(/node(?: IP)? (\d+\.\d+\.\d+\.\d+)/, text)!;
  const podCidr = one(/pod CIDR (\d+\.\d+\.\d+\.\d+\/\d+)/, text)!;
  const hostname = one(/hostname "([^"]+)"/, text) ?? 'test-hostname';
  const mark = one(/masqueradeMark (0x[0-9a-f]+)/, text) ?? '0x4000';
  // The fake iptables has no --random-fully ("as in overall-v1.28" says the same).
  const randomFully = !/no --random-fully|as in overall/.test(text);
  const node = { name: hostname, address: nodeIP, addresses: [nodeIP], clusterCidr: podCidr, mark, iptablesRandomFully: randomFully };
  const services = /^services \(/m.test(text) ? parseServiceList(text) : parseSingleService(text);
  return { version, mode: 'iptables', node, services };
}

function base(ns: string, name: string, portName: string, port: number): ProxyServicePort {
  return { namespace: ns, name, portName, protocol: 'TCP', type: 'ClusterIP', clusterIP: '', port, externalIPs: [], loadBalancerIPs: [], externalTrafficPolicy: 'Cluster', loadBalancerSourceRanges: [], endpoints: [] };
}

// "services (all TCP, port name "p80", port 80):" then one entry per "  nsN/svcN TYPE ..."
// line, continued on more-indented lines; then "endpoint slices ...:" with "  nsN/svcN: IPs".
function parseServiceList(text: string): ProxyServicePort[] {
  const header = /^services \(all (\w+), port name "([^"]*)", port (\d+)\):$/m.exec(text)!;
  const [, , portName, port] = header;
  const section = text.slice(header.index + header[0].length, text.indexOf('\nendpoint slices'));
  const entries = section.split(/\n(?=  ns\d+\/)/).map((e) => e.trim()).filter(Boolean);
  const services = new Map<string, ProxyServicePort>();
  for (const entry of entries) {
    const [, ns, name, type] = /^(\w+)\/(\w+)\s+(ClusterIP|NodePort|LoadBalancer)/.exec(entry)!;
    const sp = base(ns!, name!, portName!, Number(port));
    sp.type = type as ProxyServicePort['type'];
    sp.clusterIP = one(/clusterIP (\S+)/, entry)!;
    const np = one(/nodePort (\d+)/, entry);
    if (np) sp.nodePort = Number(np);
    if (/externalTrafficPolicy=Local/.test(entry)) sp.externalTrafficPolicy = 'Local';
    sp.externalIPs = list(one(/externalIPs \[([^\]]*)\]/, entry));
    sp.loadBalancerIPs = list(one(/LB ingress ([\d.]+)/, entry));
    sp.loadBalancerSourceRanges = list(one(/loadBalancerSourceRanges \[([^\]]*)\]/, entry));
    // kube-proxy keeps a health-check node port only for externalTrafficPolicy: Local.
    const hc = one(/healthCheckNodePort (\d+)/, entry);
    if (hc && sp.externalTrafficPolicy === 'Local') sp.healthCheckNodePort = Number(hc);
    services.set(`${ns}/${name}`, sp);
  }
  const slices = text.slice(text.indexOf('\nendpoint slices'));
  for (const m of slices.matchAll(/^  (\w+\/\w+): ([^\n]+)$/gm)) {
    const sp = services.get(m[1]!)!;
    const local = /-> local/.test(m[2]!) && !/not local/.test(m[2]!);
    for (const ip of m[2]!.replace(/\(.*\)/, '').split(',').map((s) => s.trim()).filter(Boolean)) sp.endpoints.push({ ip, port: Number(port), local });
  }
  return [...services.values()];
}

// "service: ns1/svc1, ClusterIP 172.30.1.1, ONE UNNAMED port (name ""), TCP 80, ..." and
// "endpoints (TCP 80, port name ""): 10.0.1.1 (node test-hostname), 10.0.1.2 (host1), ...".
function parseSingleService(text: string): ProxyServicePort[] {
  const [, ns, name, clusterIP, portName, port] = /^service: (\w+)\/(\w+), ClusterIP ([\d.]+), .*\(name "([^"]*)"\), TCP (\d+)/m.exec(text)!;
  const sp = base(ns!, name!, portName!, Number(port));
  sp.clusterIP = clusterIP!;
  const eps = /^endpoints \([^)]*\): (.*)$/m.exec(text)![1]!;
  for (const m of eps.matchAll(/([\d.]+) \((?:node )?([^)]+)\)/g)) sp.endpoints.push({ ip: m[1]!, port: Number(port), local: m[2] === 'test-hostname' });
  return [sp];
}
