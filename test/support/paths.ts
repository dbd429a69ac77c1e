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
