import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { labJsonSchema } from '../../src/lab/json-schema.js';
import { LAB_DIR, ROOT } from '../helpers/paths.js';

test('the shipped JSON Schema is what the validator\'s definition generates (npm run schema)', (t) => {
  const shipped = JSON.parse(readFileSync(path.join(ROOT, 'schema/lab.schema.json'), 'utf8'));
  t.deepEqual(shipped, JSON.parse(JSON.stringify(labJsonSchema())));
});

test('the schema rejects unknown keys and names the contract fields', (t) => {
  const schema = labJsonSchema() as { additionalProperties: boolean; required: string[]; properties: Record<string, { properties?: Record<string, unknown> }> };
  t.false(schema.additionalProperties);
  t.deepEqual(schema.required.sort(), ['kubernetes', 'name', 'nodes', 'router', 'segments']);
  t.truthy(schema.properties.kubernetes!.properties!.serviceRange);
});

test('every example lab points editors at the schema', (t) => {
  const labs = readdirSync(LAB_DIR).filter((f) => f.endsWith('.lab.yaml'));
  t.true(labs.length >= 3);
  for (const f of labs) t.true(readFileSync(path.join(LAB_DIR, f), 'utf8').startsWith('# yaml-language-server: $schema=../schema/lab.schema.json\n'), f);
});
