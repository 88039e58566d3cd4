// Postgres refuses some strings that JavaScript allows. Every value that came from an event passes
// through these before it is written, so that one hostile event cannot fail the batch it rides in.

/** `text` columns cannot hold NUL. */
export function pgText(s: string): string {
  return s.indexOf('\0') === -1 ? s : s.replace(/\0/g, '\uFFFD');
}

export function pgTextOrNull(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : pgText(s);
}

// In JSON text, an escape is a backslash plus one char or `uXXXX`. Matching escaped backslashes as a
// unit keeps the scan aligned, so `\\u0000` (an escaped backslash, then "u0000") is left alone.
const ESCAPES = /\\(?:\\|u0000|ud[89ab][0-9a-f]{2}(?:\\ud[c-f][0-9a-f]{2})?|ud[c-f][0-9a-f]{2})/gi;

/**
 * JSON text for a `jsonb` value: jsonb rejects `\u0000` and unpaired surrogate escapes, both of which
 * JSON.stringify produces from strings an event can carry. They become U+FFFD.
 */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.indexOf('\\u') === -1) return json;
  return json.replace(ESCAPES, (m) => (m === '\\\\' || m.length === 12 ? m : '\\ufffd'));
}
