// Writes schema/lab.schema.json from the validator's own zod definition, so the schema
// editors use and the checks labsmith runs can never disagree.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { labJsonSchema } from '../src/lab/json-schema.js';

const target = fileURLToPath(new URL('../../schema/lab.schema.json', import.meta.url));
await writeFile(target, JSON.stringify(labJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${target}\n`);
