/**
 * The oslo.policy rule language as a tree.
 *
 * Grammar (loosest binding first):
 *   expr    := andExpr ('or' andExpr)*
 *   andExpr := notExpr ('and' notExpr)*
 *   notExpr := 'not' notExpr | '(' expr ')' | check
 *   check   := '@' | '!' | kind ':' match
 * An empty (or all-blank) string means "always".
 */
export type Check =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; match: string }
  | { kind: 'generic'; key: string; literal?: string; match: string }
  | { kind: 'not'; check: Check }
  | { kind: 'and'; checks: Check[] }
  | { kind: 'or'; checks: Check[] };

export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

type Token = { type: '(' | ')' | 'and' | 'or' | 'not' } | { type: 'check'; text: string };

/** `%(name)s`: replaced by the target's `name` attribute when the check runs. */
export const PLACEHOLDER = /%\(([^()]+)\)s/g;

const UNSUPPORTED_KINDS = new Set(['http', 'https']);

/** Parses a check string; throws RuleSyntaxError on anything it cannot read. */
export function parseRule(text: string): Check {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'always' };
  let pos = 0;

  const peek = (): Token | undefined => tokens[pos];
  const describe = (t: Token | undefined): string => (t === undefined ? 'end of rule' : t.type === 'check' ? `'${t.text}'` : `'${t.type}'`);

  const parseOr = (): Check => {
    const checks = [parseAnd()];
    while (peek()?.type === 'or') {
      pos++;
      checks.push(parseAnd());
    }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  };

  const parseAnd = (): Check => {
    const checks = [parseNot()];
    while (peek()?.type === 'and') {
      pos++;
      checks.push(parseNot());
    }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  };

  const parseNot = (): Check => {
    const token = peek();
    if (token?.type === 'not') {
      pos++;
      return { kind: 'not', check: parseNot() };
    }
    if (token?.type === '(') {
      pos++;
      const inner = parseOr();
      if (peek()?.type !== ')') throw new RuleSyntaxError(`expected ')' but found ${describe(peek())}`);
      pos++;
      return inner;
    }
    if (token?.type === 'check') {
      pos++;
      return parseCheck(token.text);
    }
    throw new RuleSyntaxError(`expected a check but found ${describe(token)}`);
  };

  const tree = parseOr();
  if (pos < tokens.length) throw new RuleSyntaxError(`unexpected ${describe(tokens[pos])}`);
  return tree;
}

/**
 * Words are separated by blanks; parentheses are only recognised at the start or the end of a word,
 * so `%(project_id)s` inside a check stays intact.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    let start = 0;
    let end = word.length;
    while (start < end && word[start] === '(') start++;
    let closing = 0;
    while (end > start && word[end - 1] === ')' && !endsPlaceholder(word.slice(start, end))) {
      end--;
      closing++;
    }
    for (let i = 0; i < start; i++) tokens.push({ type: '(' });
    const core = word.slice(start, end);
    if (core !== '') {
      const lower = core.toLowerCase();
      if (lower === 'and' || lower === 'or' || lower === 'not') tokens.push({ type: lower });
      else tokens.push({ type: 'check', text: core });
    }
    for (let i = 0; i < closing; i++) tokens.push({ type: ')' });
  }
  return tokens;
}

/** True when the word's final ')' closes a `%(` opened inside it (e.g. `%(target.id)` with no `s`). */
function endsPlaceholder(word: string): boolean {
  const open = word.lastIndexOf('%(');
  return open !== -1 && word.indexOf(')', open) === word.length - 1;
}

function parseCheck(text: string): Check {
  if (text === '@') return { kind: 'always' };
  if (text === '!') return { kind: 'never' };
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new RuleSyntaxError(`'${text}' is not a check (expected kind:value, '@' or '!')`);
  }
  const kind = text.slice(0, colon);
  const match = text.slice(colon + 1);
  if (match.replace(PLACEHOLDER, '').includes('%(')) {
    throw new RuleSyntaxError(`'${text}' has a malformed %(name)s placeholder`);
  }
  if (kind === 'rule') return { kind: 'rule', name: match };
  if (kind === 'role') return { kind: 'role', match };
  if (UNSUPPORTED_KINDS.has(kind)) throw new RuleSyntaxError(`'${kind}:' checks are not supported`);
  const literal = literalOf(kind);
  return literal === undefined ? { kind: 'generic', key: kind, match } : { kind: 'generic', key: kind, literal, match };
}

/** A quoted string or a number on the left of ':' is compared as a constant, not looked up in the credentials. */
function literalOf(kind: string): string | undefined {
  const quoted = /^(['"])(.*)\1$/.exec(kind);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(kind)) return kind;
  return undefined;
}

/** All rule names a check refers to through `rule:`. */
export function referencedRules(check: Check): string[] {
  switch (check.kind) {
    case 'rule':
      return [check.name];
    case 'not':
      return referencedRules(check.check);
    case 'and':
    case 'or':
      return check.checks.flatMap(referencedRules);
    default:
      return [];
  }
}
