import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/paths.js';

// The project's own rules and command (npm run lint:boundaries), run on small trees laid out like the repository.
const lintBoundaries = join(repoRoot, 'scripts', 'lint-boundaries.mjs');
const depcruise = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = join(repoRoot, '.dependency-cruiser.cjs');

type Tree = Record<string, string>;

interface Violation {
  rule: string;
  from: string;
  to: string;
}

interface Cruise {
  violations: Violation[];
  modulesCruised: number;
}

interface Run {
  code: number;
  stdout: string;
}

/** Modules that depend on each other only through their index.ts, with intra-module subfolder cycles (allowed). */
const wellBuilt: Tree = {
  'src/alpha/index.ts': "export { greet } from './impl.js';\nexport type { Greeting } from './one/a.js';\n",
  'src/alpha/impl.ts': "import { helper } from './one/a.js';\nexport const greet = (name: string): string => helper(name);\n",
  'src/alpha/one/a.ts': "import { twice } from '../two/b.js';\nexport type Greeting = string;\nexport const helper = (s: string): string => twice(s);\n",
  'src/alpha/two/b.ts': "import type { Greeting } from '../one/a.js';\nexport const twice = (s: string): Greeting => s + s;\n",
  'src/beta/index.ts': "import { greet, type Greeting } from '../alpha/index.js';\nexport const hello = (): Greeting => greet('beta');\n",
  'src/services.ts': "import type { Greeting } from './alpha/index.js';\nexport interface Core { greeting: Greeting }\n",
  'src/server.ts': "import { greet } from './alpha/index.js';\nimport { hello } from './beta/index.js';\nexport const start = (): string => greet(hello());\n",
  'src/cli/main.ts': "import { start } from '../server.js';\nimport { twice } from './util.js';\nexport const run = (): string => twice(start());\n",
  'src/cli/util.ts': 'export const twice = (s: string): string => s + s;\n',
  'sim/main.ts': "import { pod } from './pod.js';\nexport const sim = pod;\n",
  'sim/pod.ts': "export const pod = 'Pod1';\n",
  // Tests may reach into a module's internals.
  'test/alpha.test.ts': "import { twice } from '../src/alpha/two/b.js';\nimport { sim } from '../sim/main.js';\nexport const checked = twice(sim);\n",
};

/** One of each forbidden thing. */
const broken: Tree = {
  'src/alpha/index.ts': "export { greet } from './impl.js';\n",
  'src/alpha/impl.ts': 'export const greet = (name: string): string => name;\n',
  // a deep import, an import of the simulator, an import that resolves to nothing
  'src/beta/index.ts': "export { useAlpha } from './use.js';\n",
  'src/beta/use.ts':
    "import { greet } from '../alpha/impl.js';\nimport { pod } from '../../sim/pod.js';\nimport { gone } from './missing.js';\nexport const useAlpha = (): string => greet(pod + gone);\n",
  // gamma and delta depend on each other through their indexes only, and no file cycle exists:
  // gamma/index -> delta/index -> delta/a, while delta/b -> gamma/index with a type-only import.
  'src/gamma/index.ts': "import { value } from '../delta/index.js';\nexport type Shape = { value: number };\nexport const shape = { value };\n",
  'src/delta/index.ts': "export { value } from './a.js';\n",
  'src/delta/a.ts': 'export const value = 1;\n',
  'src/delta/b.ts': "import type { Shape } from '../gamma/index.js';\nexport const empty: Shape = { value: 0 };\n",
  // the composition root reaching past an index, and a module starting the server
  'src/server.ts': "import { greet } from './alpha/impl.js';\nexport const start = (): string => greet('x');\n",
  'src/epsilon/index.ts': "import { start } from '../server.js';\nexport const restart = start;\n",
  // a module using the CLI
  'src/cli/main.ts': 'export const argv = (): string[] => process.argv;\n',
  'src/zeta/index.ts': "import { argv } from '../cli/main.js';\nexport const args = argv();\n",
  // src importing a test, the simulator importing src
  'src/eta/index.ts': "import { fixture } from '../../test/fixture.js';\nexport const eta = fixture;\n",
  'test/fixture.ts': "export const fixture = 'f';\n",
  'sim/pod.ts': "import { greet } from '../src/alpha/index.js';\nexport const pod = greet('Pod1');\n",
};

async function layOut(tree: Tree): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tricircle-boundaries-'));
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

function run(dir: string, argv: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { cwd: dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(new Error(`${argv.join(' ')} did not run: ${err.message}\n${stderr}`));
      else resolve({ code: err ? Number(err.code) : 0, stdout: stdout + stderr });
    });
  });
}

/** Every violation, as dependency-cruiser's JSON report gives it. */
async function cruise(dir: string): Promise<Cruise> {
  const { stdout } = await run(dir, [depcruise, '--config', config, '--output-type', 'json', 'src', 'sim', 'test']);
  const result = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
  return {
    violations: result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
    modulesCruised: result.summary.totalCruised,
  };
}

const key = (v: Violation): string => `${v.rule}: ${v.from} -> ${v.to}`;

describe('the import-boundary rules (npm run lint:boundaries)', () => {
  const dirs: string[] = [];
  let clean: Run;
  let dirty: Run;
  let dirtyReport: Cruise;

  before(async () => {
    const [wellBuiltDir, brokenDir] = await Promise.all([layOut(wellBuilt), layOut(broken)]);
    dirs.push(wellBuiltDir, brokenDir);
    [clean, dirty, dirtyReport] = await Promise.all([
      run(wellBuiltDir, [lintBoundaries, 'src', 'sim', 'test']),
      run(brokenDir, [lintBoundaries, 'src', 'sim', 'test']),
      cruise(brokenDir),
    ]);
  });

  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  test('pass a tree whose modules meet only at their index.ts', () => {
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, new RegExp(`no dependency violations found \\(${Object.keys(wellBuilt).length} modules`));
  });

  test('report every forbidden import of the broken tree, and nothing else', () => {
    assert.equal(dirtyReport.modulesCruised, Object.keys(broken).length + 1, 'the files and the unresolvable ./missing.js');
    assert.deepEqual(dirtyReport.violations.map(key).sort(), [
      'composition-root-imports-indexes: src/server.ts -> src/alpha/impl.ts',
      'no-deep-import: src/beta/use.ts -> src/alpha/impl.ts',
      'no-deep-import: src/zeta/index.ts -> src/cli/main.ts',
      'no-module-cycle: src/delta -> src/gamma',
      'no-module-cycle: src/gamma -> src/delta',
      'not-to-unresolvable: src/beta/use.ts -> ./missing.js',
      'nothing-imports-cli: src/zeta/index.ts -> src/cli/main.ts',
      'only-cli-starts-server: src/epsilon/index.ts -> src/server.ts',
      'sim-not-to-src: sim/pod.ts -> src/alpha/index.ts',
      'src-not-to-sim-or-test: src/beta/use.ts -> sim/pod.ts',
      'src-not-to-sim-or-test: src/eta/index.ts -> test/fixture.ts',
    ]);
  });

  test('fail the command on a broken tree, naming the rules', () => {
    assert.equal(dirty.code, 1);
    for (const rule of ['no-deep-import', 'no-module-cycle', 'src-not-to-sim-or-test', 'sim-not-to-src']) assert.match(dirty.stdout, new RegExp(`error ${rule}:`));
    assert.match(dirty.stdout, /11 dependency violations \(11 errors/);
  });
});
