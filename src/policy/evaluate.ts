import { PLACEHOLDER, type Check } from './parser.js';

/** Flat values describing the caller, in oslo.policy's snake_case names (`project_id`, `roles`, `is_admin`...). */
export type Credentials = Readonly<Record<string, unknown>>;

/** Attributes of the object acted on; `%(name)s` in a rule reads them (dotted names walk nested objects). */
export type Target = Readonly<Record<string, unknown>>;

export interface Evaluation {
  target: Target;
  credentials: Credentials;
  rules: ReadonlyMap<string, Check>;
}

/** Evaluates a parsed check. A `rule:` naming a rule that does not exist is false. */
export function evaluate(check: Check, env: Evaluation): boolean {
  switch (check.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'not':
      return !evaluate(check.check, env);
    case 'and':
      return check.checks.every((c) => evaluate(c, env));
    case 'or':
      return check.checks.some((c) => evaluate(c, env));
    case 'rule': {
      const rule = env.rules.get(check.name);
      return rule !== undefined && evaluate(rule, env);
    }
    case 'role': {
      const wanted = substitute(check.match, env.target);
      if (wanted === undefined) return false;
      const roles = env.credentials.roles;
      if (!Array.isArray(roles)) return false;
      const lower = wanted.toLowerCase();
      return roles.some((role) => typeof role === 'string' && role.toLowerCase() === lower);
    }
    case 'generic': {
      const expected = substitute(check.match, env.target);
      if (expected === undefined) return false;
      if (check.literal !== undefined) return check.literal === expected;
      return matches(lookup(env.credentials, check.key), expected);
    }
  }
}

/** Replaces every `%(name)s` with the target's attribute; undefined when one is missing. */
function substitute(pattern: string, target: Target): string | undefined {
  let missing = false;
  const result = pattern.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = lookup(target, name);
    if (value === undefined || value === null) {
      missing = true;
      return '';
    }
    return render(value);
  });
  return missing ? undefined : result;
}

/** Reads `a.b.c`: an exact key wins, else the path is walked through nested objects. */
function lookup(source: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(source, path)) return source[path];
  let current: unknown = source;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function matches(actual: unknown, expected: string): boolean {
  if (actual === undefined || actual === null) return false;
  if (Array.isArray(actual)) return actual.some((item) => matches(item, expected));
  if (typeof actual === 'boolean') return render(actual).toLowerCase() === expected.toLowerCase();
  if (typeof actual === 'object') return false;
  return render(actual) === expected;
}

/** Booleans print as True/False so policy files written for oslo (`is_admin:True`) keep working. */
function render(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  return String(value);
}
