/**
 * Search language: the character level. Character classes, the quoting rules (quoted strings,
 * unquoted values, `\*`), and `Scanner`, the cursor the parser in parse.ts extends.
 */
import { MAX_ERROR_TOKEN, searchError } from './errors.ts';
import type { ParsedValue } from './parse-terms.ts';

export const QUOTE = 0x22; // "
export const BACKSLASH = 0x5c;
export const STAR = 0x2a;
export const BANG = 0x21;
export const COLON = 0x3a;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COMMA = 0x2c;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const GT = 0x3e;
export const LT = 0x3c;
export const EQ = 0x3d;

/** Same set as JavaScript's `\s`. */
export function isSearchWhitespace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** `[A-Za-z0-9_.\-@]` */
export function isKeyChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2d || // -
    c === 0x40 // @
  );
}

/**
 * Quote an arbitrary string so that it parses back as exactly that literal value
 * (no wildcards), both as a filter value (`key:${quoteSearchValue(s)}`) and as free text.
 * Fails later in parsing only for strings the language rejects outright (NUL, unpaired
 * surrogates, too long).
 */
export function quoteSearchValue(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"' || ch === '\\' || ch === '*') out += '\\';
    out += ch;
  }
  return out + '"';
}

/** Reject characters no database text column can hold: NUL and unpaired UTF-16 surrogates. */
export function checkCharacters(input: string): void {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0) throw searchError('NUL characters are not allowed in a search', i, '\u0000');
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      throw searchError('Invalid Unicode (unpaired surrogate) in search', i, '');
    }
    if (c >= 0xdc00 && c <= 0xdfff) throw searchError('Invalid Unicode (unpaired surrogate) in search', i, '');
  }
}

interface QuotedResult {
  value: string;
  wildcard: boolean;
  escapedStar: boolean;
  end: number;
}

/** A cursor over the query; parse.ts builds the grammar on top of it. */
export class Scanner {
  protected pos = 0;
  protected readonly len: number;

  constructor(protected readonly src: string) {
    this.len = src.length;
  }

  protected code(i: number = this.pos): number {
    return i < this.len ? this.src.charCodeAt(i) : -1;
  }

  protected atBoundary(i: number = this.pos): boolean {
    return i >= this.len || isSearchWhitespace(this.src.charCodeAt(i));
  }

  protected skipWhitespace(): void {
    while (this.pos < this.len && isSearchWhitespace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** The whitespace-delimited word starting at `i` (for error messages). */
  protected wordAt(i: number): string {
    let j = i;
    while (j < this.len && !isSearchWhitespace(this.src.charCodeAt(j)) && j - i < MAX_ERROR_TOKEN) j++;
    return this.src.slice(i, j);
  }

  protected expectBoundaryAfter(what: string): void {
    if (!this.atBoundary()) {
      throw searchError(`Unexpected text after ${what} (separate terms with a space)`, this.pos, this.wordAt(this.pos));
    }
  }

  /**
   * An unquoted filter value (or list item when `inList`): up to whitespace (or "," / "]" in
   * a list). `\*` is a literal star; every other backslash is literal.
   */
  protected unquotedValue(inList: boolean): ParsedValue {
    const start = this.pos;
    let value = '';
    let wildcard = false;
    let escapedStar = false;
    while (this.pos < this.len) {
      const c = this.src.charCodeAt(this.pos);
      if (isSearchWhitespace(c)) break;
      if (inList && (c === COMMA || c === RBRACKET)) break;
      if (c === QUOTE) {
        throw searchError('Unexpected quote inside a value (quote the whole value instead)', this.pos, this.wordAt(this.pos));
      }
      if (inList && c === LBRACKET) throw searchError('Unexpected "[" inside a list', this.pos, this.wordAt(this.pos));
      if (c === BACKSLASH && this.code(this.pos + 1) === STAR) {
        value += '*';
        escapedStar = true;
        this.pos += 2;
        continue;
      }
      if (c === STAR) wildcard = true;
      value += this.src[this.pos]!;
      this.pos++;
    }
    return { value, raw: this.src.slice(start, this.pos), quoted: false, wildcard, escapedStar, start, end: this.pos };
  }

  /**
   * A double-quoted string starting at `start` (which holds the quote). Escapes: `\"`, `\\`
   * and `\*` (literal star); any other backslash is kept literally. `end` is the index just
   * past the closing quote. Tracks unescaped `*` (wildcards) when `trackStars`.
   */
  protected scanQuoted(start: number, trackStars: boolean): QuotedResult {
    let i = start + 1;
    let value = '';
    let wildcard = false;
    let escapedStar = false;
    for (;;) {
      if (i >= this.len) throw searchError('Unterminated quote', start, this.src.slice(start));
      const c = this.src.charCodeAt(i);
      if (c === QUOTE) return { value, wildcard, escapedStar, end: i + 1 };
      if (c === BACKSLASH) {
        const n = this.code(i + 1);
        if (n === QUOTE || n === BACKSLASH) {
          value += this.src[i + 1]!;
          i += 2;
          continue;
        }
        if (n === STAR) {
          value += '*';
          escapedStar = true;
          i += 2;
          continue;
        }
        value += '\\';
        i++;
        continue;
      }
      if (c === STAR && trackStars) wildcard = true;
      value += this.src[i]!;
      i++;
    }
  }
}
