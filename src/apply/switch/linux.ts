// A Linux router: kernel routes; labsmith's carry route protocol 44.
import { LINUX_ROUTE_PROTO } from '../../render/index.js';
import type { SwitchDriver } from './types.js';

const proto = String(LINUX_ROUTE_PROTO);

export const linuxDriver: SwitchDriver = {
  factsScript: `echo "@routes"; ip -j route show proto ${LINUX_ROUTE_PROTO}`,
  parseOwned(section) {
    const text = section.trim();
    const routes = text ? (JSON.parse(text) as { dst: string; gateway?: string }[]) : [];
    return routes.filter((r) => r.gateway).map((r) => ({ prefix: r.dst.includes('/') ? r.dst : `${r.dst}/32`, via: r.gateway! }));
  },
  commands(changes) {
    return changes.map((c) =>
      c.action === 'remove' ? ['ip', 'route', 'del', c.prefix, 'via', c.via, 'proto', proto] : ['ip', 'route', 'replace', c.prefix, 'via', c.via, 'proto', proto],
    );
  },
};
