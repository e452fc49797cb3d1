// VyOS: static routes in its configuration tree; labsmith's carry the description
// "labsmith: <node>". Read and changed through `vbash -s` with VyOS's script template, as
// VyOS documents for command scripting; the change is one commit, then saved.
import { ROUTE_COMMENT_PREFIX } from '../../render/index.js';
import type { OwnedRoute, SwitchDriver } from './types.js';

const TEMPLATE = 'source /opt/vyatta/etc/functions/script-template';

// The lines travel as positional arguments; the script that feeds them to vbash is constant.
// They hold prefixes, addresses and node names the validator allows only in safe forms.
const FEED = 'printf "%s\\n" "$@" | vbash -s';

export const vyosDriver: SwitchDriver = {
  factsScript: `echo "@routes"; printf '%s\\n' '${TEMPLATE}' 'run show configuration commands' 'exit' | vbash -s`,
  parseOwned(section) {
    const hops = new Map<string, string[]>();
    const ours = new Set<string>();
    for (const line of section.split('\n')) {
      const hop = /^set protocols static route (\S+) next-hop '?([\d.]+)'?/.exec(line.trim());
      if (hop) hops.set(hop[1]!, [...(hops.get(hop[1]!) ?? []), hop[2]!]);
      const desc = /^set protocols static route (\S+) description '?(.*?)'?$/.exec(line.trim());
      if (desc && desc[2]!.startsWith(ROUTE_COMMENT_PREFIX)) ours.add(desc[1]!);
    }
    const owned: OwnedRoute[] = [];
    for (const [prefix, vias] of hops) if (ours.has(prefix)) for (const via of vias) owned.push({ prefix, via });
    return owned;
  },
  commands(changes) {
    if (!changes.length) return [];
    const lines = [TEMPLATE, 'configure'];
    for (const c of changes) {
      // The whole route node is labsmith's (its description says so): replace it whole.
      if (c.action !== 'add') lines.push(`delete protocols static route ${c.prefix}`);
      if (c.action !== 'remove') {
        lines.push(`set protocols static route ${c.prefix} next-hop ${c.via}`);
        lines.push(`set protocols static route ${c.prefix} description '${ROUTE_COMMENT_PREFIX} ${c.node ?? 'labsmith'}'`);
      }
    }
    lines.push('commit', 'save', 'exit');
    return [['sh', '-c', FEED, 'labsmith-vyos', ...lines]];
  },
};
