// Where labsmith's shipped data lives (templates/, playbooks/, scripts/). Compiled to
// dist/src/core/, three levels below the package root.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A path inside the package: packagePath('scripts', 'verify', 'prober.py'). */
export const packagePath = (...parts: string[]): string => path.join(PACKAGE_ROOT, ...parts);
