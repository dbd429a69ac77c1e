// The walls between the modules of src/ (docs/decisions.md, "Tooling"). Run: npm run lint:boundaries.
// A top-level folder of src/ is a module; src/server.ts and src/services.ts are the composition root.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-deep-import',
      comment: "A module is used through its index.ts only: import '../<module>/index.js', not one of its internal files.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'composition-root-imports-indexes',
      comment: 'src/server.ts and src/services.ts assemble modules from their index.ts, never from internal files.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-module-cycle',
      comment: 'The top-level modules of src/ form no cycle (type-only imports count). Fix by moving the shared part down or inverting the dependency.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/([^/]+)' },
      to: { circular: true, path: '^src/[^/]+', pathNot: '^src/$1(/|$)' },
    },
    {
      name: 'only-cli-starts-server',
      comment: 'src/server.ts is the composition root: only the CLI starts it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/server\\.ts$'] },
      to: { path: '^src/server\\.ts$' },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'src/cli is the entry point; no other module depends on it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'src-not-to-sim-or-test',
      comment: 'The services never import the pod simulator, the tests or the benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(sim|test|bench|tools)/' },
    },
    {
      name: 'sim-not-to-src',
      comment: 'The simulator stands in for OpenStack: it shares no code with Tricircle (nor with the tests).',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: '^(src|test|bench|tools)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every relative import resolves to a file; if not, the rules above would silently see nothing.',
      severity: 'error',
      from: { path: '^(src|sim|test|bench|tools)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API, so dependency-cruiser parses with swc; type-only imports are dependencies too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    moduleSystems: ['es6'],
    // Folder metrics are what the no-module-cycle rule (scope "folder") is evaluated on.
    metrics: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: {
      archi: { collapsePattern: '^src/[^/]+|^(sim|test|bench)' },
    },
  },
};
