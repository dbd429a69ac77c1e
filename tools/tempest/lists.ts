// The selection files of tools/tempest: one regex a line, as stestr reads them (`#` starts a comment).
// In exclude.txt every entry must give its reason in the comment; the runner refuses an entry without one.

export interface ListEntry {
  regex: string;
  /** The comment after the regex (the reason, for an exclusion), or the last comment line above it. */
  reason: string;
  line: number;
}

export function parseList(text: string): ListEntry[] {
  const entries: ListEntry[] = [];
  let heading = '';
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const regex = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    const comment = hash === -1 ? '' : raw.slice(hash + 1).trim();
    if (!regex) {
      heading = comment || (raw.trim() === '' ? '' : heading);
      return;
    }
    try {
      new RegExp(regex);
    } catch (err) {
      throw new Error(`line ${i + 1}: not a regular expression: ${regex} (${(err as Error).message})`);
    }
    entries.push({ regex, reason: comment || heading, line: i + 1 });
  });
  return entries;
}

/** Exclusions must say why; returns the entries, or throws naming the lines without a reason. */
export function parseExcludeList(text: string): ListEntry[] {
  const entries = parseList(text);
  const bare = entries.filter((e) => !e.reason);
  if (bare.length > 0) throw new Error(`exclusions without a reason (add "# why" after the regex) on line(s) ${bare.map((e) => e.line).join(', ')}`);
  return entries;
}

/** The exclusion that removes a test, if any (a search, as stestr applies them). */
export function excludedBy(entries: ListEntry[], testId: string): ListEntry | undefined {
  return entries.find((e) => new RegExp(e.regex).test(testId));
}
