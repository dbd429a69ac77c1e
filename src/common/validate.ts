import { badRequest } from './errors.js';
import { isJsonObject } from './jsonTypes.js';

export type Json = Record<string, unknown>;

/** The object under `key` of a request body, e.g. {"pod": {...}}; 400 when absent or not an object. */
export function bodyMember(body: unknown, key: string): Json {
  if (!isJsonObject(body)) throw badRequest(`Malformed request body: expected a JSON object with '${key}'.`);
  const member = body[key];
  if (member === undefined) throw badRequest(`Missing required element '${key}' in request body.`);
  if (!isJsonObject(member)) throw badRequest(`Invalid input for field/attribute ${key}: expected an object.`);
  const extra = Object.keys(body).filter((k) => k !== key);
  if (extra.length > 0) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}' in request body.`);
  return member;
}

export function rejectUnknownFields(obj: Json, allowed: readonly string[]): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
}

function invalid(key: string, value: unknown, why: string): Error {
  return badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. ${why}`);
}

/** A string field, trimmed; undefined when absent. */
export function optionalString(obj: Json, key: string, maxLength = 255): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(key, v, `'${String(v)}' is not a string.`);
  const t = v.trim();
  if (t.length > maxLength) throw invalid(key, v, `It is longer than ${maxLength} characters.`);
  return t;
}

export function optionalBoolean(obj: Json, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) return v.toLowerCase() === 'true';
  throw invalid(key, v, `'${String(v)}' is not a valid boolean value.`);
}

/** Non-negative integer query parameter such as `limit`. */
export function optionalQueryInt(query: Json, key: string, max?: number): number | undefined {
  const v = query[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`Invalid ${key}: '${String(v)}' is not a non-negative integer.`);
  return max !== undefined ? Math.min(n, max) : n;
}
