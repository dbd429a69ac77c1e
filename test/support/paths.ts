import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding package.json (works from dist/ too). */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above test/support');
    dir = up;
  }
  return dir;
})();

/** Upstream API reference data shipped beside the repository (../shared/openstack-api). */
export const openstackApiDir = resolve(repoRoot, '..', 'shared', 'openstack-api');

/** True when the tests run compiled from dist/ (npm test), false under tsx. */
export const runningFromDist = fileURLToPath(import.meta.url).includes(`${'/'}dist${'/'}`);

/** argv to run an entry point of this repository (e.g. 'src/cli/main') with node, compiled or not. */
export function entryPointArgv(entry: string): string[] {
  return runningFromDist ? [join(repoRoot, 'dist', `${entry}.js`)] : ['--import', 'tsx', join(repoRoot, `${entry}.ts`)];
}
