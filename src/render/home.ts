// Where labsmith's data lives: templates/ and playbooks/ at the top of the package. This
// module is compiled to dist/src/render/, three levels below the package root.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const PLAYBOOKS_DIR = path.join(PACKAGE_ROOT, 'playbooks');
