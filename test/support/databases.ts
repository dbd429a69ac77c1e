import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createConnection } from 'mysql2/promise';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export interface ScratchDatabase {
  dialect: DialectName;
  url: string;
  drop(): Promise<void>;
}

const ENV = { postgres: 'TRICIRCLE_TEST_POSTGRES_URL', mysql: 'TRICIRCLE_TEST_MYSQL_URL' } as const;

function withDatabase(url: string, name: string): string {
  const u = new URL(url.replace(/^([a-z]+)\+[a-z0-9_]+:/i, '$1:'));
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, empty database of the given dialect; each call gets its own so test files can run in parallel. */
export async function createScratchDatabase(dialect: DialectName): Promise<ScratchDatabase> {
  const name = `tc_${randomBytes(6).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tricircle-test-'));
    return { dialect, url: `sqlite:///${join(dir, 'tricircle.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env[ENV[dialect]]!;
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: base.replace(/\+[a-z0-9_]+:/i, ':') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    return {
      dialect,
      url: withDatabase(base, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: base.replace(/\+[a-z0-9_]+:/i, ':') });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const conn = await createConnection({ uri: base.replace(/^mysql\+[a-z0-9_]+:/i, 'mysql:').split('?')[0] });
  await conn.query(`create database ${name} character set utf8mb4`);
  await conn.end();
  return {
    dialect,
    url: withDatabase(base, name),
    drop: async () => {
      const c = await createConnection({ uri: base.replace(/^mysql\+[a-z0-9_]+:/i, 'mysql:').split('?')[0] });
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}

/** Why a dialect cannot be tested here, or undefined when it can. */
export function unavailableReason(dialect: DialectName): string | undefined {
  if (dialect === 'sqlite') return undefined;
  if (!process.env[ENV[dialect]]) return `${dialect} tests skipped: ${ENV[dialect]} is not set`;
  return undefined;
}

/**
 * Runs the same suite on SQLite, and on PostgreSQL and MariaDB when their URLs are set; a dialect
 * that is not configured shows up as one skipped suite saying why.
 */
export function describeEachDatabase(title: string, suite: (dialect: DialectName) => void): void {
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
    const reason = unavailableReason(dialect);
    describe(`${title} [${dialect}]`, reason ? { skip: reason } : {}, () => suite(dialect));
  }
}
