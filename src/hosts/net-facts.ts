// The network facts every node command reads (apply's plan and verify's facts alike): one
// constant script fragment printing sections, and one pure parser of them, tested on
// captured real output.

/** Sections printed by NET_FACTS_SCRIPT. */
export const NET_FACT_SECTIONS = ['forwarding', 'default', 'docker0', 'systemd', 'nat'] as const;

export const NET_FACTS_SCRIPT = `echo "@forwarding"
cat /proc/sys/net/ipv4/ip_forward
echo "@default"
ip -j route show default
echo "@docker0"
ip -j addr show dev docker0 2>/dev/null || echo "[]"
echo "@systemd"
[ -d /run/systemd/system ] && echo yes || echo no
echo "@nat"
iptables-save -t nat 2>/dev/null || iptables -t nat -S 2>/dev/null || echo "# no iptables"
`;

export interface NetFacts {
  forwarding: boolean;
  /** The default route's gateway, if any. */
  defaultGateway?: string;
  docker0?: { up: boolean; addresses: string[] };
  /** systemd runs the host (its handlers can run). */
  systemd: boolean;
  /** `-A ...` lines of the nat table. */
  natRules: string[];
}

export class FactsParseError extends Error {}

export function requireSections(sections: Map<string, string>, names: readonly string[]): void {
  for (const n of names) if (!sections.has(n)) throw new FactsParseError(`no @${n} section in the output (the command was cut short?)`);
}

export function parseNetFacts(sections: Map<string, string>): NetFacts {
  requireSections(sections, NET_FACT_SECTIONS);
  const links = json<{ flags?: string[]; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(sections.get('docker0')!, 'docker0');
  const link = links[0];
  const routes = json<{ dst: string; gateway?: string }[]>(sections.get('default')!, 'default route');
  const gateway = routes.find((r) => r.dst === 'default' && r.gateway)?.gateway;
  return {
    forwarding: sections.get('forwarding')!.trim() === '1',
    ...(gateway ? { defaultGateway: gateway } : {}),
    ...(link
      ? {
          docker0: {
            up: (link.flags ?? []).includes('UP'),
            addresses: (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
          },
        }
      : {}),
    systemd: sections.get('systemd')!.trim() === 'yes',
    natRules: sections
      .get('nat')!
      .split('\n')
      .filter((l) => l.startsWith('-A ')),
  };
}

function json<T>(text: string, what: string): T {
  const trimmed = text.trim();
  if (!trimmed) return [] as T;
  try {
    return JSON.parse(trimmed) as T;
  } catch {
    throw new FactsParseError(`${what} is not JSON: ${trimmed.slice(0, 120)}`);
  }
}
