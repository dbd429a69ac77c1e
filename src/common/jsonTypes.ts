/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The objects among the items of a JSON array (none when `value` is not an array). */
export function objectsIn(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** A JSON document that must be an object (a pod's answer): parsed, or `{}` when it is another JSON value. Malformed JSON throws. */
export function parseJsonObject(text: Buffer | string): Record<string, unknown> {
  const value: unknown = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  return isJsonObject(value) ? value : {};
}
