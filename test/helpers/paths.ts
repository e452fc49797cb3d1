import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, from dist/test/helpers. */
export const ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const LAB_DIR = path.join(ROOT, 'lab');
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');
export const exampleLab = (name: string) => path.join(LAB_DIR, `${name}.lab.yaml`);
