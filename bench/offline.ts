// validate (+ render, once it exists) of generated labs: time and memory.
import { readLabText } from '../src/lab/read.js';
import { generateLabYaml } from './gen-lab.js';

export interface OfflineRow {
  nodes: number;
  validateMs: number;
  renderMs: number | null;
  files: number | null;
  heapMB: number;
  rssMB: number;
}

type Renderer = (lab: ReturnType<typeof readLabText>['lab']) => { files: unknown[] }[];

export async function benchOffline(sizes: number[], render?: Renderer): Promise<OfflineRow[]> {
  const rows: OfflineRow[] = [];
  // One untimed pass warms the JIT and compiles templates, as a real run's first lab would not
  // be measured against a cold VM in a loop either.
  const warm = readLabText('warm.lab.yaml', generateLabYaml(50));
  render?.(warm.lab);
  for (const nodes of sizes) {
    const text = generateLabYaml(nodes);
    global.gc?.();
    const t0 = performance.now();
    const { lab } = readLabText(`big-${nodes}.lab.yaml`, text);
    const t1 = performance.now();
    const rendered = render?.(lab);
    const t2 = performance.now();
    const mem = process.memoryUsage();
    rows.push({
      nodes,
      validateMs: round(t1 - t0),
      renderMs: rendered ? round(t2 - t1) : null,
      files: rendered ? rendered.reduce((n, h) => n + h.files.length, 0) : null,
      heapMB: round(mem.heapUsed / 2 ** 20),
      rssMB: round(mem.rss / 2 ** 20),
    });
  }
  return rows;
}

const round = (x: number) => Math.round(x * 10) / 10;
