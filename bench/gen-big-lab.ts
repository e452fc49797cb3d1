// Generated labs for the validate+render benchmark: N nodes over a few /16 segments,
// pod CIDRs allocated from clusterCidr, one service and workload.
export function generateBigLab(nodes: number): string {
  const perSegment = 4000;
  const segments = Math.max(1, Math.ceil(nodes / perSegment));
  const lines = [
    `name: big-${nodes}`,
    'os: debian12',
    'kubernetes: { version: "1.28", serviceRange: 10.96.0.0/12, clusterCidr: 10.128.0.0/9, proxyMode: iptables }',
    'segments:',
  ];
  for (let s = 0; s < segments; s++) lines.push(`  - { name: seg${s}, cidr: 172.${16 + s}.0.0/16, gateway: 172.${16 + s}.0.1 }`);
  lines.push('router: { name: mls, platform: frr, address: 172.16.0.1 }', 'nodes:');
  for (let i = 0; i < nodes; i++) {
    const s = Math.floor(i / perSegment);
    const host = (i % perSegment) + 10;
    const role = i === 0 ? 'master' : 'minion';
    lines.push(`  - { name: n${i}, role: ${role}, address: 172.${16 + s}.${host >> 8}.${host & 255} }`);
  }
  lines.push(
    'services:',
    '  - { name: web, port: 80, targetPort: 8080, selector: { app: web }, type: NodePort }',
    'workloads:',
    `  - { name: web, replicas: ${Math.max(1, Math.floor(nodes / 2))}, labels: { app: web }, port: 8080 }`,
    '',
  );
  return lines.join('\n');
}
