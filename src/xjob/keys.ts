import { createHash } from 'node:crypto';

/** Separator of the parts of a composite resource id, e.g. `<pod_id>#<router_id>#<net_id>`. */
export const RESOURCE_SEPARATOR = '#';

/** The digest stored in pending_key / run_lock for one (type, resource). */
export function jobKey(type: string, resourceId: string): string {
  return createHash('sha256').update(type).update('\n').update(resourceId).digest('hex');
}

/** Joins the resource fields of a job type, in schema order, into its resource_id. */
export function composeResourceId(schema: readonly string[], resource: Record<string, unknown>): string {
  return schema
    .map((key) => {
      const value = resource[key];
      if (typeof value !== 'string' || value === '') throw new Error(`resource field ${key} must be a non-empty string`);
      if (value.includes(RESOURCE_SEPARATOR)) throw new Error(`resource field ${key} must not contain '${RESOURCE_SEPARATOR}'`);
      return value;
    })
    .join(RESOURCE_SEPARATOR);
}

/** Splits a resource_id back into the named fields of its job type; extra parts stay in the last field. */
export function parseResourceId(schema: readonly string[], resourceId: string): Record<string, string> {
  const parts = resourceId.split(RESOURCE_SEPARATOR);
  const out: Record<string, string> = {};
  schema.forEach((key, i) => {
    out[key] = i === schema.length - 1 ? parts.slice(i).join(RESOURCE_SEPARATOR) : (parts[i] ?? '');
  });
  return out;
}
