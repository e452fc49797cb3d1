import { z } from 'zod';
import { labFileSchema } from './schema.js';

/** The JSON Schema of the lab file, as editors read it (input side: defaults are optional). */
export function labJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(labFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://labsmith.dev/schema/lab.schema.json',
    title: 'labsmith lab file',
    description: 'A bare-metal Kubernetes networking lab: nodes, pod subnets, service range and the layer-3 switch. Generated from src/lab/schema.ts by `npm run schema`; do not edit.',
  };
}
