/** Layering rules for Vessel (see ../shared/STYLE.md): imports point inward, no cycles. */
const domains = '(ovf|ova|disk|hypervisor|cim|host|formats)';
const edges = '(cli|api|wbem|web)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'model-is-pure',
      comment: 'src/model depends on nothing else in the project and does no I/O',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/(?!model/)|^(fs|node:fs|child_process|node:child_process|net|node:net)$' },
    },
    {
      name: 'domains-not-edges',
      comment: 'domains never import an edge',
      severity: 'error',
      from: { path: `^src/${domains}/` },
      to: { path: `^src/${edges}/` },
    },
    {
      name: 'through-index-only',
      comment: 'another folder imports a domain only through its index.ts',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-test-imports-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '\\.test\\.ts$|^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
