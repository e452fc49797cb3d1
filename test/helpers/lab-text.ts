import { readFileSync } from 'node:fs';
import { LabInputError, formatDiagnostic, type Diagnostic } from '../../src/lab/diagnostics.js';
import { readLabText, type ReadResult } from '../../src/lab/read.js';
import { exampleLab } from './paths.js';

export const K101 = readFileSync(exampleLab('kubernetes-101'), 'utf8');

/** Replaces one exact piece of the classic lab's text; fails loudly if the piece is absent. */
export function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture: ${JSON.stringify(from)} not in lab text`);
  return text.replace(from, to);
}

/** The formatted diagnostics of a lab text that must fail validation. */
export function errorsOf(text: string, file = 'lab.yaml'): string[] {
  try {
    readLabText(file, text);
  } catch (err) {
    if (err instanceof LabInputError) return err.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    throw err;
  }
  throw new Error('expected the lab to be invalid, but it validated');
}

export function readOk(text: string, file = 'lab.yaml'): ReadResult {
  return readLabText(file, text);
}

export function warningsOf(text: string): string[] {
  return readOk(text).warnings.map((d: Diagnostic) => formatDiagnostic(d));
}

/** The material's web pod, as the `containers:` lines of a workload: two containers on ports 80
 * and 8080 sharing the pod's one address. */
export const WEB_POD_CONTAINERS = [
  '    containers:',
  '      - { name: webpod80, image: jonlangemak/docker:web_container_80, port: 80 }',
  '      - { name: webpod8080, image: jonlangemak/docker:web_container_8080, port: 8080 }',
];
