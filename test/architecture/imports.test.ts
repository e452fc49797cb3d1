// The house rule, checked on every `npm test`: each folder of src/ imports only from the
// layers below it (.dependency-cruiser.cjs lists them), and no import circle exists.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/paths.js';

const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

async function cruise(cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

test('src/ imports only downward and in no circle', async (t) => {
  const r = await cruise(ROOT);
  t.is(r.code, 0, r.out);
});

test('the check fails on an upward import and on a circle (negative control)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'labsmith-imports-'));
  try {
    await cp(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    for (const d of ['lab', 'cli', 'render']) await mkdir(path.join(dir, 'src', d), { recursive: true });
    await writeFile(path.join(dir, 'src/cli/help.ts'), 'export const help = 1;\n');
    await writeFile(path.join(dir, 'src/lab/up.ts'), "import { help } from '../cli/help.js';\nexport const x = help;\n");
    await writeFile(path.join(dir, 'src/render/a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    await writeFile(path.join(dir, 'src/render/b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    const r = await cruise(dir);
    t.not(r.code, 0);
    t.regex(r.out, /lab-imports-only-downward/);
    t.regex(r.out, /no-circular/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
