// The house rules for imports (docs/architecture.md): every folder of src/ imports only from
// the folders below it, and nothing imports in a circle. `npm test` runs this check
// (test/architecture/imports.test.ts); `npx depcruise src` runs it by hand.
const LAYERS = ['core', 'lab', 'manifests', 'proxy', 'pki', 'render', 'remote', 'emulate', 'hosts', 'apply', 'verify', 'cli'];

const upward = LAYERS.map((layer, i) => ({
  name: `${layer}-imports-only-downward`,
  comment: `src/${layer} may import only from ${LAYERS.slice(0, i).join(', ') || 'nothing of labsmith'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|') || 'NONE'})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a circle of imports means two modules are one module, or one of them is in the wrong place',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'known-layer',
      comment: `every folder of src/ is a layer listed in .dependency-cruiser.cjs (${LAYERS.join(' < ')})`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/` },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
};

