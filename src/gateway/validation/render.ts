/**
 * Bounded renderings of request values for error messages. A message never holds more than
 * `MAX_RENDERED` characters of a value (a value cut short ends with `...`), nor more than
 * `MAX_DEPTH` levels of it (deeper values read `...`), whatever the body, so a huge or deeply
 * nested body cannot make a message big or overflow the stack.
 */

export const MAX_RENDERED = 300;
export const MAX_DEPTH = 32;

/** How a language prints JSON values: Nova's messages read like JSON, Cinder's like Python's repr. */
export interface ValueNotation {
  null: string;
  true: string;
  false: string;
  /** A string inside a container (and, in `repr`, on its own). */
  string(s: string): string;
  /** Between an object key and its value. */
  colon: string;
  /** Between the items of an array or object. */
  comma: string;
}

export const JSON_NOTATION: ValueNotation = { null: 'null', true: 'true', false: 'false', string: (s) => JSON.stringify(s), colon: ':', comma: ',' };
export const PYTHON_NOTATION: ValueNotation = { null: 'None', true: 'True', false: 'False', string: (s) => `'${s}'`, colon: ': ', comma: ', ' };

class Budget {
  private readonly parts: string[] = [];
  private used = 0;

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.used > this.limit;
  }

  add(text: string): void {
    if (this.full) return;
    this.parts.push(text);
    this.used += text.length;
  }

  text(): string {
    const all = this.parts.join('');
    return all.length > this.limit ? `${all.slice(0, this.limit)}...` : all;
  }
}

function write(value: unknown, notation: ValueNotation, out: Budget, depth: number): void {
  if (out.full) return;
  if (value === null || value === undefined) return void out.add(notation.null);
  if (value === true) return void out.add(notation.true);
  if (value === false) return void out.add(notation.false);
  // A string longer than the whole budget is cut before it is quoted, so a 1 MB string costs nothing.
  if (typeof value === 'string') return void out.add(notation.string(value.length > MAX_RENDERED ? value.slice(0, MAX_RENDERED + 1) : value));
  if (typeof value === 'number') return void out.add(Number.isFinite(value) ? String(value) : notation.null);
  if (typeof value !== 'object') return void out.add(String(value));
  if (depth >= MAX_DEPTH) return void out.add('...');
  if (Array.isArray(value)) {
    out.add('[');
    for (let i = 0; i < value.length && !out.full; i++) {
      if (i > 0) out.add(notation.comma);
      write(value[i], notation, out, depth + 1);
    }
    return void out.add(']');
  }
  out.add('{');
  let first = true;
  for (const key in value) {
    if (out.full) break;
    if (!Object.hasOwn(value, key)) continue;
    if (!first) out.add(notation.comma);
    first = false;
    out.add(notation.string(key));
    out.add(notation.colon);
    write((value as Record<string, unknown>)[key], notation, out, depth + 1);
  }
  out.add('}');
}

/** `value` in `notation`, at most MAX_RENDERED characters (then `...`). */
export function render(value: unknown, notation: ValueNotation): string {
  const out = new Budget(MAX_RENDERED);
  write(value, notation, out, 0);
  return out.text();
}

/** A string cut to MAX_RENDERED characters (then `...`). */
export function cut(text: string): string {
  return text.length > MAX_RENDERED ? `${text.slice(0, MAX_RENDERED)}...` : text;
}
