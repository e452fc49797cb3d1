// Remote commands that read several things print each under a line "@name"; this splits
// such output back into its sections (text before the first marker is dropped).
export function splitSections(output: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^@([a-z0-9]+)$/.exec(line);
    if (m) {
      if (name) out.set(name, body.join('\n'));
      name = m[1];
      body = [];
    } else if (name) body.push(line);
  }
  if (name) out.set(name, body.join('\n'));
  return out;
}
