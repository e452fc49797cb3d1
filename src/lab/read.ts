// The offline front half of the pipeline with its error barriers: load, shape, meaning, plan.
import { byPosition, LabInputError, type Diagnostic } from './diagnostics.js';
import { loadLabFile, parseLabText, type LoadedLab } from './load.js';
import { planAddresses } from './plan.js';
import { checkSemantics } from './semantics.js';
import { checkShape } from './shape.js';
import type { Lab } from './types.js';

export interface ReadResult {
  lab: Lab;
  warnings: Diagnostic[];
}

export async function readLab(file: string): Promise<ReadResult> {
  return fromLoaded(await loadLabFile(file));
}

export function readLabText(file: string, text: string): ReadResult {
  return fromLoaded(parseLabText(file, text));
}

function fromLoaded(loaded: LoadedLab): ReadResult {
  const shape = checkShape(loaded);
  if (!shape.value) throw new LabInputError(shape.diagnostics);
  const found = checkSemantics(shape.value, loaded).sort(byPosition);
  if (found.some((d) => d.severity === 'error')) throw new LabInputError(found);
  return { lab: planAddresses(loaded.file, shape.value), warnings: found };
}
