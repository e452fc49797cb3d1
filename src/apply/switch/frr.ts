// FRR: static routes in vtysh; labsmith's carry tag 4242. One vtysh session applies all
// changes and writes the integrated configuration.
import { FRR_ROUTE_TAG } from '../../render/index.js';
import type { SwitchDriver } from './types.js';

export const frrDriver: SwitchDriver = {
  factsScript: 'echo "@routes"; vtysh -c "show running-config"',
  parseOwned(section) {
    const mark = new RegExp(`\\stag ${FRR_ROUTE_TAG}(\\s|$)`);
    const owned = [];
    for (const line of section.split('\n')) {
      const m = /^ip route (\S+) (\S+)(.*)$/.exec(line.trim());
      if (m && mark.test(` ${m[3]}`)) owned.push({ prefix: m[1]!, via: m[2]! });
    }
    return owned;
  },
  commands(changes, owned) {
    if (!changes.length) return [];
    // A replaced route loses every old next hop labsmith owns first.
    const lines: string[] = [];
    for (const c of changes) {
      const stale = c.action === 'add' ? [] : owned.filter((o) => o.prefix === c.prefix && (c.action === 'remove' || o.via !== c.via));
      for (const o of stale) lines.push(`no ip route ${o.prefix} ${o.via} tag ${FRR_ROUTE_TAG}`);
      if (c.action !== 'remove') lines.push(`ip route ${c.prefix} ${c.via} tag ${FRR_ROUTE_TAG}`);
    }
    return [['vtysh', '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l]), '-c', 'end', '-c', 'write memory']];
  },
};
