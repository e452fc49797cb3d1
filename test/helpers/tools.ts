// Running the real parsers the render tests lean on. A missing tool is an error that names
// the Debian package to install, never a skipped test.
import { spawnSync } from 'node:child_process';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(command: string, args: string[], debianPackage: string): ToolResult {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${command} is not installed: this test needs it (apt-get install ${debianPackage})`);
    throw r.error;
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
