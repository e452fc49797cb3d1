// Rule rendering: S services of 10 endpoints each through the iptables mode of 1.28 and
// 1.11, both text forms. Time per 1,000 rules shows whether growth stays linear.
import { formatRestore, formatSave, proxyProgram, type ProxyInput, type ProxyServicePort } from '../src/proxy/index.js';

export interface ProxyRow {
  version: string;
  services: number;
  endpoints: number;
  rules: number;
  programMs: number;
  saveMs: number;
  restoreMs: number;
  msPer1000Rules: number;
  saveMiB: number;
  heapMB: number;
}

function input(version: string, services: number, endpoints: number): ProxyInput {
  const ports: ProxyServicePort[] = [];
  for (let s = 0; s < services; s++) {
    const ip = (base: number, n: number) => `10.${base + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
    ports.push({
      namespace: `ns${s % 50}`,
      name: `svc${s}`,
      portName: s % 2 ? 'http' : '',
      protocol: 'TCP',
      type: s % 4 === 0 ? 'NodePort' : 'ClusterIP',
      clusterIP: ip(96, s + 10),
      port: 80,
      ...(s % 4 === 0 ? { nodePort: 30000 + (s % 2700) } : {}),
      externalIPs: [],
      loadBalancerIPs: [],
      externalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: [],
      endpoints: Array.from({ length: endpoints }, (_, e) => ({ ip: ip(128, s * endpoints + e + 2), port: 8080, local: false })),
    });
  }
  return { version, mode: 'iptables', node: { name: 'node-1', address: '192.168.1.11', addresses: ['192.168.1.11'], clusterCidr: '10.128.0.0/9', mark: '0x004000', iptablesRandomFully: true }, services: ports };
}

export function benchProxy(sizes: number[], endpoints = 10): ProxyRow[] {
  const rows: ProxyRow[] = [];
  // Warm the JIT on a small case first; a real run renders one lab, but a cold VM would
  // make the first size look worse than it is.
  formatSave(proxyProgram(input('1.28', 100, endpoints)).iptables, []);
  for (const version of ['1.28', '1.11']) {
    for (const services of sizes) {
      const data = input(version, services, endpoints);
      global.gc?.();
      const t0 = performance.now();
      const program = proxyProgram(data);
      const t1 = performance.now();
      const save = formatSave(program.iptables, []);
      const t2 = performance.now();
      formatRestore(program.iptables, []);
      const t3 = performance.now();
      const rules = program.iptables.tables.reduce((n, t) => n + t.rules.length, 0);
      rows.push({
        version,
        services,
        endpoints,
        rules,
        programMs: round(t1 - t0),
        saveMs: round(t2 - t1),
        restoreMs: round(t3 - t2),
        msPer1000Rules: round(((t3 - t0) / rules) * 1000),
        saveMiB: round(save.length / 2 ** 20),
        heapMB: round(process.memoryUsage().heapUsed / 2 ** 20),
      });
    }
  }
  return rows;
}

const round = (x: number) => Math.round(x * 100) / 100;
