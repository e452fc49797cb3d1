// The lab's SSH key (authorized on every host) and one host key per host, generated once
// by ssh-keygen and kept across down/up, so known_hosts stays true for the lab's life.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostKeyPath, type LabPaths } from './paths.js';
import { mapLimit, must } from './run.js';
import type { EmuHost } from './topology.js';

async function keygen(sshKeygen: string, file: string, comment: string): Promise<void> {
  if (existsSync(file) && existsSync(`${file}.pub`)) return;
  // Half a pair (an up killed while generating it) is replaced: ssh-keygen would ask first.
  await Promise.all([rm(file, { force: true }), rm(`${file}.pub`, { force: true })]);
  await must([sshKeygen, '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

export async function ensureKeys(sshKeygen: string, paths: LabPaths, lab: string, hosts: EmuHost[], concurrency: number): Promise<void> {
  await mkdir(paths.hostKeys, { recursive: true, mode: 0o700 });
  const jobs = [
    { file: paths.key, comment: `labsmith@${lab}` },
    ...hosts.map((h) => ({ file: hostKeyPath(paths, h.name), comment: `root@${h.name} (labsmith ${lab})` })),
  ];
  await mapLimit(jobs, concurrency, (j) => keygen(sshKeygen, j.file, j.comment));
}

/** known_hosts for the emulated hosts: each key under the host's name and every address
 * its sshd listens on. */
export async function writeKnownHosts(paths: LabPaths, hosts: EmuHost[], port: number): Promise<void> {
  const lines = await Promise.all(
    hosts.map(async (h) => {
      const pub = (await readFile(`${hostKeyPath(paths, h.name)}.pub`, 'utf8')).trim().split(/\s+/);
      const names = [...new Set([h.name, h.address, ...h.interfaces.map((i) => i.address)])];
      const patterns = port === 22 ? names : names.map((n) => `[${n}]:${port}`);
      return `${patterns.join(',')} ${pub[0]} ${pub[1]}`;
    }),
  );
  await writeFile(paths.knownHosts, lines.join('\n') + '\n', { mode: 0o644 });
}
