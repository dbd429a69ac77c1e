import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/paths.js';

// docs/routing.md: src/routing is the only code that reads or writes the routing table; src/db
// declares it (schema, migrations). Everyone else goes through RoutingTable (or routings.in(trx)).
const TABLE = 'resource_routings';
const ALLOWED = ['src/routing/', 'src/db/'];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (/\.(ts|mts|cts|js|mjs|cjs|sql)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Files under `root`'s src/ that name the table outside the allowed folders, with their line numbers. */
async function offenders(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sourceFiles(join(root, 'src'))) {
    const rel = relative(root, file).split('\\').join('/');
    if (ALLOWED.some((dir) => rel.startsWith(dir))) continue;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.includes(TABLE)) found.push(`${rel}:${i + 1}`);
    });
  }
  return found;
}

describe('the routing table has one door', () => {
  test('no file of src/ outside src/routing and src/db names the table', async () => {
    assert.deepEqual(await offenders(repoRoot), []);
  });

  test('the check finds a file that does (a tree laid out like the repository)', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const root = await mkdtemp(join(tmpdir(), 'routing-door-'));
    try {
      await mkdir(join(root, 'src', 'routing'), { recursive: true });
      await mkdir(join(root, 'src', 'db', 'migrations'), { recursive: true });
      await mkdir(join(root, 'src', 'nova', 'servers'), { recursive: true });
      await writeFile(join(root, 'src', 'routing', 'table.ts'), `db.selectFrom('${TABLE}')\n`);
      await writeFile(join(root, 'src', 'db', 'migrations', '0001.ts'), `createTable('${TABLE}')\n`);
      await writeFile(join(root, 'src', 'nova', 'servers', 'create.ts'), `// fine\nawait kysely.deleteFrom('${TABLE}').execute();\n`);
      assert.deepEqual(await offenders(root), ['src/nova/servers/create.ts:2']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
