// Loads rules into a throwaway network namespace (unshare -n: it goes away with the shell)
// and reads them back with iptables-save, so every rendering meets the real iptables.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ScratchResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` with sh in a new network namespace; files are written to $1 first. */
export function inScratchNetns(script: string, files: Record<string, string>): ScratchResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'labsmith-proxy-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const r = spawnSync('unshare', ['-n', 'sh', '-ec', script, 'scratch', dir], { encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw new Error(`unshare failed: ${r.error.message} (needs root and util-linux)`);
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads the restore form (after ipsets, if any), then the jump commands, and dumps. */
export function loadRestoreForm(restore: string, jumpCommands: string[], ipsets = ''): ScratchResult {
  return inScratchNetns(
    [
      'if [ -s "$1/ipsets" ]; then ipset restore < "$1/ipsets"; fi',
      'iptables-restore --test < "$1/restore"',
      'iptables-restore --noflush < "$1/restore"',
      'sh -e "$1/jumps"',
      'iptables-save',
    ].join('\n'),
    { restore, jumps: jumpCommands.join('\n') + '\n', ipsets },
  );
}

/** Loads the save form as iptables-restore would on a fresh node, and dumps. */
export function loadSaveForm(save: string, ipsets = ''): ScratchResult {
  return inScratchNetns(
    ['if [ -s "$1/ipsets" ]; then ipset restore < "$1/ipsets"; fi', 'iptables-restore --test < "$1/save"', 'iptables-restore < "$1/save"', 'iptables-save', 'echo "### ipset"', 'if [ -s "$1/ipsets" ]; then ipset save; fi'].join('\n'),
    { save, ipsets },
  );
}
