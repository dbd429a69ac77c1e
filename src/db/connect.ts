import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createPool as createMysqlPool } from 'mysql2';
import type { Database } from './tables.js';
import { parseDatabaseUrl, type Dialect } from './url.js';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

const PG_INT8 = 20;

/** Opens the database named by an SQLAlchemy-style URL. */
export function openDatabase(url: string, opts: { maxPoolSize?: number } = {}): Db {
  const parsed = parseDatabaseUrl(url);
  const max = opts.maxPoolSize ?? 10;
  let kysely: Kysely<Database>;
  switch (parsed.dialect) {
    case 'sqlite': {
      const filename = parsed.filename!;
      if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
      const database = new SqliteDatabase(filename);
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 10000');
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
      kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) });
      break;
    }
    case 'postgres': {
      const pool = new pg.Pool({
        host: parsed.host,
        port: parsed.port,
        user: parsed.user,
        password: parsed.password,
        database: parsed.database,
        max,
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
        },
      });
      // An idle connection the server drops (restart, terminate) must not crash the process; the pool replaces it.
      pool.on('error', () => undefined);
      kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      break;
    }
    case 'mysql': {
      const pool = createMysqlPool({
        host: parsed.host,
        port: parsed.port ?? 3306,
        user: parsed.user,
        password: parsed.password,
        database: parsed.database,
        charset: parsed.params.charset === 'utf8' ? 'UTF8MB4_GENERAL_CI' : 'UTF8MB4_GENERAL_CI',
        connectionLimit: max,
        supportBigNumbers: true,
        bigNumberStrings: false,
        timezone: 'Z',
      });
      kysely = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      break;
    }
  }
  return { kysely, dialect: parsed.dialect, close: () => kysely.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query it runs; preparing costs more than running an
 * indexed lookup. This hands it the statement prepared last time for the same SQL text (an LRU of
 * `size` statements; SQL with inlined list lengths makes distinct texts). Safe because the driver
 * runs a statement to completion synchronously (`all`/`run`); nothing here streams (`iterate`).
 */
function reusingStatements(database: SqliteDatabase.Database, size = 500): Pick<SqliteDatabase.Database, 'prepare' | 'close'> {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(source: string) {
      let stmt = statements.get(source);
      if (stmt === undefined) {
        stmt = database.prepare(source);
        if (statements.size >= size) statements.delete(statements.keys().next().value as string);
      } else {
        statements.delete(source);
      }
      statements.set(source, stmt);
      return stmt;
    },
    close() {
      statements.clear();
      return database.close();
    },
  } as Pick<SqliteDatabase.Database, 'prepare' | 'close'>;
}

/** A trivial round trip, for readiness probes. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
