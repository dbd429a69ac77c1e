/** Request headers as Node and Fastify give them (names usually lower-case already). */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a header, matched case-insensitively; trimmed. */
export function headerValue(headers: Headers, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const wanted = name.toLowerCase();
    for (const [key, v] of Object.entries(headers)) {
      if (key.toLowerCase() === wanted) {
        value = v;
        break;
      }
    }
  }
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.trim();
}
