// Generated labs for the emulate benchmark (and validate benchmarks): one master and N-1
// minions spread over a few segments, pod CIDRs allocated from clusterCidr, one NodePort
// service in front of a workload. Valid for any N >= 1 (with N = 1 the workload has no replicas).
export function generateLabYaml(nodes: number): string {
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`generateLabYaml wants a whole number of nodes >= 1, not ${nodes}`);
  // A few /24 segments for small labs (as a classroom has); /16s once a /24 would overflow.
  const small = nodes <= 240 * 16;
  const segments = small ? Math.max(Math.min(4, Math.max(2, Math.ceil(nodes / 15))), Math.ceil(nodes / 240)) : Math.max(4, Math.ceil(nodes / 60000));
  const perSegment = Math.ceil(nodes / segments);
  const seg = (s: number) => (small ? { cidr: `10.20.${s}.0/24`, gw: `10.20.${s}.1`, addr: (i: number) => `10.20.${s}.${i + 10}` } : { cidr: `172.${16 + s}.0.0/16`, gw: `172.${16 + s}.0.1`, addr: (i: number) => `172.${16 + s}.${(i + 10) >> 8}.${(i + 10) & 255}` });
  const lines = [
    `name: gen-${nodes}`,
    'os: debian12',
    'kubernetes:',
    '  version: "1.11"',
    '  serviceRange: 10.96.0.0/12',
    '  clusterCidr: 10.128.0.0/9',
    '  proxyMode: iptables',
    'segments:',
  ];
  for (let s = 0; s < segments; s++) lines.push(`  - { name: seg${s}, cidr: ${seg(s).cidr}, gateway: ${seg(s).gw} }`);
  lines.push('router:', '  name: mls', '  platform: frr', `  address: ${seg(0).gw}`, 'nodes:');
  for (let i = 0; i < nodes; i++) {
    // Round-robin over the segments, so every segment holds minions.
    const s = i % segments;
    const k = Math.floor(i / segments);
    if (k >= (small ? 240 : 65000)) throw new Error(`too many nodes per segment (${perSegment})`);
    const name = i === 0 ? 'master' : `minion${i}`;
    lines.push(`  - { name: ${name}, role: ${i === 0 ? 'master' : 'minion'}, address: ${seg(s).addr(k)} }`);
  }
  lines.push(
    'services:',
    '  - { name: web, port: 80, targetPort: 8080, selector: { app: web }, type: NodePort }',
    'workloads:',
    `  - { name: web, replicas: ${nodes - 1}, labels: { app: web }, port: 8080 }`,
    '',
  );
  return lines.join('\n');
}
