/**
 * Search errors: `SearchSyntaxError`, the one error for bad user input, and the two message
 * shapes built on it (`searchError` for the syntax layer, `termError` for the validation layer).
 */

/** Longest token text kept on an error (the message itself shows at most 40 characters). */
export const MAX_ERROR_TOKEN = 200;
const MAX_MESSAGE_TOKEN = 40;

/**
 * The only error the search layer throws for bad user input (syntax or validation).
 * `position` is a 0-based offset into the query, `token` the offending text (possibly
 * truncated). Safe to show to the user; map it to HTTP 400.
 */
export class SearchSyntaxError extends Error {
  override readonly name = 'SearchSyntaxError';
  readonly position: number;
  readonly token: string;

  constructor(message: string, position: number, token: string) {
    super(message);
    this.position = position;
    this.token = token.length > MAX_ERROR_TOKEN ? token.slice(0, MAX_ERROR_TOKEN) : token;
  }
}

/** Render a token for an error message: truncated, control characters escaped. */
function displayToken(token: string): string {
  const t = token.length > MAX_MESSAGE_TOKEN ? token.slice(0, MAX_MESSAGE_TOKEN) + '…' : token;
  let out = '';
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const loneSurrogate = c >= 0xd800 && c <= 0xdfff && !isPairAt(t, i);
    if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 || loneSurrogate) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else {
      out += t[i]!;
    }
  }
  return out;
}

function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = s.charCodeAt(i - 1);
    return i > 0 && b >= 0xd800 && b <= 0xdbff;
  }
  return false;
}

/**
 * Build a SearchSyntaxError with the standard message shape
 * `<problem> at position <n>: <token>` (the `: <token>` part is omitted when empty).
 */
export function searchError(problem: string, position: number, token: string): SearchSyntaxError {
  const shown = displayToken(token);
  const message = shown === '' ? `${problem} at position ${position}` : `${problem} at position ${position}: ${shown}`;
  return new SearchSyntaxError(message, position, token);
}

/** Error with the brief's message shape, position appended: `<message> (at position N)`. */
export function termError(message: string, position: number, token: string): SearchSyntaxError {
  return new SearchSyntaxError(`${message} (at position ${position})`, position, token);
}
