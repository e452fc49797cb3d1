// npm run golden: rewrite test/golden/ from the current templates, playbooks and example
// labs. Review the result with `git diff test/golden`; never edit golden files by hand.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR, goldenTree } from '../test/helpers/golden.js';

const tree = goldenTree();
rmSync(GOLDEN_DIR, { recursive: true, force: true });
for (const [rel, content] of tree) {
  const file = path.join(GOLDEN_DIR, ...rel.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}
process.stdout.write(`test/golden: ${tree.size} files written; review with git diff test/golden\n`);
