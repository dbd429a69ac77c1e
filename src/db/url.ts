export type Dialect = 'sqlite' | 'postgres' | 'mysql';

export interface ParsedDatabaseUrl {
  dialect: Dialect;
  /** sqlite: file path or ':memory:' */
  filename?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  params: Record<string, string>;
}

export class DatabaseUrlError extends Error {}

/**
 * Accepts SQLAlchemy-style URLs: sqlite:///relative.db, sqlite:////abs/path.db, sqlite:// (memory),
 * postgresql[+driver]://user:pw@host:port/db, mysql[+driver]://user:pw@host:port/db?charset=utf8.
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const m = /^([a-z0-9]+)(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url.trim());
  if (!m) throw new DatabaseUrlError(`not a database URL: ${JSON.stringify(url)} (expected e.g. sqlite:///tricircle.sqlite or postgresql://user@host/db)`);
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (scheme === 'sqlite') {
    if (rest === '' || rest === '/' || rest === '/:memory:') return { dialect: 'sqlite', filename: ':memory:', params: {} };
    if (!rest.startsWith('/')) throw new DatabaseUrlError(`sqlite URL needs three slashes: sqlite:///${rest}`);
    return { dialect: 'sqlite', filename: decodeURIComponent(rest.slice(1).split('?')[0]), params: {} };
  }
  const dialect: Dialect | undefined = scheme === 'postgresql' || scheme === 'postgres' ? 'postgres' : scheme === 'mysql' || scheme === 'mariadb' ? 'mysql' : undefined;
  if (!dialect) throw new DatabaseUrlError(`unsupported database scheme ${scheme}: use sqlite, postgresql or mysql`);
  const u = new URL(`db://${rest}`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new DatabaseUrlError(`database URL names no database: ${scheme}://…`);
  return {
    dialect,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database,
    params: Object.fromEntries(u.searchParams),
  };
}
