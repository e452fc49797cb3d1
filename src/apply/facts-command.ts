// The one remote command that reads everything plan needs from a node: checksums, modes
// and owners of the managed files, and the live network facts. The script is a constant;
// the paths travel as positional arguments, so nothing from the lab becomes shell syntax.

import { NET_FACTS_SCRIPT } from '../hosts/net-facts.js';

export const FACTS_SCRIPT = [
  NET_FACTS_SCRIPT.trimEnd(),
  'echo "@files"',
  'for f in "$@"; do [ -f "$f" ] && printf \'%s\\0\' "$f"; done | xargs -0r sha256sum --',
  'echo "@stat"',
  'for f in "$@"; do [ -f "$f" ] && stat -c \'%a %U %G %n\' -- "$f"; done',
  'echo "@temps"',
  // Temporary files of an upload that was killed: found here, removed by apply.
  'for f in "$@"; do ls -1d -- "$(dirname -- "$f")"/.*.labsmith-tmp-* 2>/dev/null; done | sort -u',
  'echo "@end"',
].join('\n');

/** argv for RemoteHost.exec: `sh -c SCRIPT labsmith-facts PATH...` */
export function factsCommand(paths: readonly string[]): string[] {
  return ['sh', '-c', FACTS_SCRIPT, 'labsmith-facts', ...paths];
}
