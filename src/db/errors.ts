/** True for a unique-key violation on any of the three databases. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL unique_violation
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True for a foreign-key violation on any of the three databases. */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === '23503' || e?.errno === 1451 || e?.errno === 1452 || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
