export { openDatabase, ping, type Db } from './connect.js';
export { dbNow, isoSeconds } from './clock.js';
export { migrateToLatest, migrateTo, schemaVersion, MigrationError } from './migrate.js';
export { parseDatabaseUrl, DatabaseUrlError, type Dialect } from './url.js';
export type * from './tables.js';
export { isUniqueViolation, isForeignKeyViolation } from './errors.js';
export { isTransientError, inTransaction, dialectOf, type RetryOptions, type Trx } from './transactions.js';
