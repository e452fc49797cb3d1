// Every command that takes a lab file reads it the same way: errors stop it (exit 2), warnings
// go to stderr and the command goes on.
import type { Lab } from '../lab/types.js';

export async function readLabReporting(file: string): Promise<Lab> {
  const { readLab } = await import('../lab/read.js');
  const { formatDiagnostic } = await import('../lab/diagnostics.js');
  const { lab, warnings } = await readLab(file);
  for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  return lab;
}
