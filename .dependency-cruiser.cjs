/**
 * The architecture, checked by `npm run check:deps` (part of `npm test`). docs/architecture.md
 * draws the rooms these rules keep apart.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle, type imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'src/core is shared by scripts/ and the Worker: no Hono, no Workers runtime, no bindings, ' +
        'nothing from the HTTP, storage or route layers.',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^src/(http|storage|routes|pages)/',
          '^src/(app|env|index)\\.ts$',
          'node_modules/hono/',
        ],
      },
    },
    {
      name: 'core-no-runtime-modules',
      severity: 'error',
      from: { path: '^src/core/' },
      comment: 'No Node or Workers built-in modules in the pure core.',
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-rooms-downwards',
      severity: 'error',
      comment:
        'Rooms of src/core import downwards only: lib <- content <- feed, search, submissions <- ' +
        'snapshot (src/core/README.md). submissions may read the key builders of snapshot/keys.ts.',
      from: { path: '^src/core/(lib|content|feed|search|submissions)/' },
      to: {
        path: '^src/core/snapshot/',
        pathNot: '^src/core/snapshot/keys\\.ts$',
      },
    },
    {
      name: 'core-lib-and-content-stay-low',
      severity: 'error',
      from: { path: '^src/core/(lib|content)/' },
      to: { path: '^src/core/(feed|search|submissions)/' },
    },
    {
      name: 'core-lib-is-a-leaf',
      severity: 'error',
      from: { path: '^src/core/lib/' },
      to: { path: '^src/core/content/' },
    },
    {
      name: 'storage-knows-no-http',
      severity: 'error',
      comment: 'Storage adapters take a binding and return data; HTTP errors belong to the routes.',
      from: { path: '^src/storage/' },
      to: { path: ['^src/(http|routes|pages)/', '^src/app\\.ts$', 'node_modules/hono/'] },
    },
    {
      name: 'http-not-routes',
      severity: 'error',
      comment: 'Shared HTTP helpers never reach up into a route group.',
      from: { path: '^src/http/' },
      to: { path: ['^src/(routes|pages)/', '^src/app\\.ts$'] },
    },
    {
      name: 'worker-not-scripts-or-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(scripts|test)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'worker-configuration\\.d\\.ts' },
    builtInModules: { add: ['cloudflare:workers', 'cloudflare:test'] },
  },
};
