// Colour only for a person at a terminal: picocolors alone would also colour under CI=1
// into a pipe, which puts escape codes into logs and into anything parsing the output.
import pc from 'picocolors';

export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export const colors = pc.createColors(useColor());
export const stderrColors = pc.createColors(useColor(process.stderr));
