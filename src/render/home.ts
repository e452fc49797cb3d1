// Where labsmith's data lives: templates/ and playbooks/ at the top of the package. This
// module is compiled to dist/src/render/, three levels below the package root.
import path from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.js';

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const PLAYBOOKS_DIR = path.join(PACKAGE_ROOT, 'playbooks');
