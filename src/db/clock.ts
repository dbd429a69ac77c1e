import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from './url.js';

/**
 * The database server's current time in epoch milliseconds, as an SQL expression. Expiry checks
 * that several processes must agree on (locks, job heartbeats) use this clock, never the local one.
 */
export function dbNow(dialect: Dialect): RawBuilder<number> {
  switch (dialect) {
    case 'sqlite':
      return sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`;
    case 'postgres':
      return sql<number>`cast(floor(extract(epoch from clock_timestamp()) * 1000) as bigint)`;
    case 'mysql':
      return sql<number>`cast(floor(unix_timestamp(now(3)) * 1000) as signed)`;
  }
}

/** ISO-8601 without milliseconds, as OpenStack APIs print timestamps. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
