/**
 * Layering rules for Vessel (see ../shared/STYLE.md): imports point inward, no cycles.
 * model <- api <- domains <- edges: src/api is the host's contract (one async Api, its vocabularies and schemas);
 * domains implement or consume it, edges hold it.
 */
const domains = '(ovf|ova|disk|hypervisor|cim|host|formats|image)';
const edges = '(cli|wbem|rest|web)';
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
      name: 'api-is-contract',
      comment: 'src/api imports only src/model (besides itself)',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(?!(api|model)/)' },
    },
    {
      name: 'api-packages',
      comment: 'src/api uses node:* and the schema library only; its tests may also use the test runner',
      severity: 'error',
      from: { path: '^src/api/', pathNot: '\\.test\\.ts$' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-bundled',
          'npm-no-pkg',
          'npm-unknown',
        ],
        pathNot: '^node_modules/@sinclair/typebox/',
      },
    },
    {
      name: 'rest-is-an-edge',
      comment:
        'src/rest holds the Api only: sessions from hostApiFactory and the shared HTTP server (src/wbem), the users file it authenticates against (src/host), the model types; nothing else of the host',
      severity: 'error',
      from: { path: '^src/rest/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(?!(rest|api|model|wbem|host)/)' },
    },
    {
      name: 'web-app-is-a-browser-edge',
      comment:
        'src/web/app runs in the browser and reaches the host only over HTTP: it imports itself and its npm packages (preact, signals), nothing else of src/',
      severity: 'error',
      from: { path: '^src/web/app/' },
      to: { path: '^src/(?!web/app/)|^(node:|fs$|child_process$|net$|http$|https$)' },
    },
    {
      name: 'web-edge-through-http',
      comment:
        'the rest of src/web uses the host as any client would (its tests may start a real host through the indexes)',
      severity: 'error',
      from: { path: '^src/web/', pathNot: ['^src/web/app/', '\\.test\\.ts$'] },
      to: { path: '^src/(?!(web|rest|api|model)/)' },
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
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'tests-through-index-only',
      comment:
        "tests too, except that a subject's test may import another folder's exported conformance runner (*.case.test.ts)",
      severity: 'error',
      from: { path: '^src/([^/]+)/.+\\.test\\.ts$' },
      to: {
        path: '^src/([^/]+)/.+',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/[^/]+/.+\\.case\\.test\\.ts$'],
      },
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
