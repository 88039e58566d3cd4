/**
 * Faultline search language: the syntax layer.
 *
 * One hand-written, single-pass scanner (no backtracking regexes) shared by issue search,
 * event search and log search. It turns an untrusted query string into a flat list of
 * terms that are implicitly ANDed. It knows nothing about which keys exist or what their
 * values mean: `spec.ts` validates the terms against a per-surface key registry.
 *
 * Syntax (see also the table in `server/search/README.md`):
 *
 *   term        := "!"? ( filter | text )
 *   filter      := key ":" op? value
 *   key         := [A-Za-z0-9_.\-@]+  |  "tags[" any-but-"]" "]"  |  'tags["' quoted '"]'
 *   op          := ">=" | "<=" | ">" | "<"
 *   value       := quoted | unquoted | list
 *   list        := "[" item ( "," item )* "]"          (whitespace allowed around items)
 *   quoted      := '"' ( '\"' | '\\' | '\*' | any-but-'"' )* '"'
 *   unquoted    := run of non-whitespace characters (no '"'; '\*' is a literal star)
 *   text        := quoted | unquoted
 *
 * Terms are separated by whitespace. `AND`, `OR` and parentheses are rejected with an
 * explicit message (terms are always ANDed; use `key:[a, b]` for "any of").
 *
 * Positions are 0-based UTF-16 code unit offsets into the input (JavaScript string
 * indices), so `input.slice(term.start, term.end) === term.raw`.
 */

/** Maximum accepted query length, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 2000;
/** Maximum number of terms in one query. */
export const MAX_TERMS = 50;
/** Maximum number of items in one `key:[...]` list. */
export const MAX_LIST_ITEMS = 100;
/** Maximum length of a key (including bracketed tag keys). */
export const MAX_KEY_LENGTH = 200;

/** Comparison operators that may follow `key:`. */
export type ComparisonOp = '>' | '>=' | '<' | '<=';

/** Longest token text kept on an error (the message itself shows at most 40 characters). */
const MAX_ERROR_TOKEN = 200;
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

/** One value of a filter (a single value, or one item of a list). */
export interface ParsedValue {
  /** The value with quotes removed and escapes applied. `*` here is a wildcard iff `wildcard`. */
  value: string;
  /** The exact source text of the value, including quotes. */
  raw: string;
  quoted: boolean;
  /** Contains at least one unescaped `*`. */
  wildcard: boolean;
  /** Contains at least one `\*` (a literal star). */
  escapedStar: boolean;
  start: number;
  end: number;
}

export interface ParsedFilterTerm {
  type: 'filter';
  negated: boolean;
  /** The key as written; for `tags[foo]` this is `foo` (and `explicitTag` is true). */
  key: string;
  /** Written as `tags[...]`: always a tag, never a built-in key. */
  explicitTag: boolean;
  keyStart: number;
  keyEnd: number;
  op: ComparisonOp | null;
  /** `key:[a, b]` form. */
  list: boolean;
  /**
   * Exactly one value unless `list`. An empty value (`key:` followed by whitespace or end
   * of input) is represented as one value with `value === ''`; `spec.ts` rejects it.
   */
  values: ParsedValue[];
  start: number;
  end: number;
  raw: string;
}

export interface ParsedTextTerm {
  type: 'text';
  negated: boolean;
  /** Free text with quotes removed and escapes applied. Never contains wildcards. */
  value: string;
  quoted: boolean;
  start: number;
  end: number;
  raw: string;
}

export type ParsedTerm = ParsedFilterTerm | ParsedTextTerm;

export interface ParsedQuery {
  input: string;
  /** Terms in source order; they are implicitly ANDed. */
  terms: ParsedTerm[];
}

// ---------------------------------------------------------------------------------------

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const STAR = 0x2a;
const BANG = 0x21;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const GT = 0x3e;
const LT = 0x3c;
const EQ = 0x3d;

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

// ---------------------------------------------------------------------------------------

/**
 * Parse a search query. Syntax only: any `key:value` is accepted here; validating keys,
 * values, operators and lists is `resolveSearch`'s job.
 *
 * @throws SearchSyntaxError on any syntax error (and nothing else).
 */
export function parseSearch(input: string): ParsedQuery {
  if (typeof input !== 'string') throw searchError('Search query must be a string', 0, '');
  if (input.length > MAX_QUERY_LENGTH) {
    throw searchError(
      `Search query is too long (${input.length} characters, the maximum is ${MAX_QUERY_LENGTH})`,
      MAX_QUERY_LENGTH,
      '',
    );
  }
  checkCharacters(input);
  return { input, terms: new Parser(input).parse() };
}

/** Reject characters no database text column can hold: NUL and unpaired UTF-16 surrogates. */
function checkCharacters(input: string): void {
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

class Parser {
  private pos = 0;
  private readonly len: number;

  constructor(private readonly src: string) {
    this.len = src.length;
  }

  parse(): ParsedTerm[] {
    const terms: ParsedTerm[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.len) break;
      if (terms.length >= MAX_TERMS) {
        throw searchError(`Too many search terms (the maximum is ${MAX_TERMS})`, this.pos, this.wordAt(this.pos));
      }
      terms.push(this.term());
    }
    return terms;
  }

  private code(i: number = this.pos): number {
    return i < this.len ? this.src.charCodeAt(i) : -1;
  }

  private atBoundary(i: number = this.pos): boolean {
    return i >= this.len || isSearchWhitespace(this.src.charCodeAt(i));
  }

  private skipWhitespace(): void {
    while (this.pos < this.len && isSearchWhitespace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** The whitespace-delimited word starting at `i` (for error messages). */
  private wordAt(i: number): string {
    let j = i;
    while (j < this.len && !isSearchWhitespace(this.src.charCodeAt(j)) && j - i < MAX_ERROR_TOKEN) j++;
    return this.src.slice(i, j);
  }

  private term(): ParsedTerm {
    const start = this.pos;
    let negated = false;
    if (this.code() === BANG) {
      negated = true;
      this.pos++;
      if (this.atBoundary()) throw searchError('Expected a search term after "!"', start, '!');
      if (this.code() === BANG) throw searchError('Double negation is not supported', start, this.wordAt(start));
    }
    const c = this.code();
    if (c === QUOTE) return this.quotedText(start, negated);
    if (c === LPAREN || c === RPAREN) {
      throw searchError(
        'Parentheses are not supported: terms are always combined with AND (quote the text to search for it literally)',
        this.pos,
        this.wordAt(this.pos),
      );
    }
    const key = this.tryKey();
    if (key) return this.filter(start, negated, key);
    return this.unquotedText(start, negated);
  }

  /**
   * If a key followed by ":" starts at the current position, consume both and return the
   * key; otherwise leave the position unchanged and return null (the token is free text).
   */
  private tryKey(): { key: string; explicitTag: boolean; keyStart: number; keyEnd: number } | null {
    const keyStart = this.pos;
    let i = keyStart;
    while (i < this.len && isKeyChar(this.src.charCodeAt(i))) i++;
    if (i === keyStart) return null;
    const word = this.src.slice(keyStart, i);

    if (word === 'tags' && this.code(i) === LBRACKET) {
      return this.bracketTagKey(keyStart, i);
    }
    if (this.code(i) !== COLON) return null;
    if (word.length > MAX_KEY_LENGTH) {
      throw searchError(`Search key is too long (the maximum is ${MAX_KEY_LENGTH} characters)`, keyStart, word);
    }
    this.pos = i + 1;
    return { key: word, explicitTag: false, keyStart, keyEnd: i };
  }

  /** `tags[some key]:` or `tags["some key"]:`; `open` is the index of "[". */
  private bracketTagKey(keyStart: number, open: number) {
    let key: string;
    let close: number; // index of "]"
    if (this.code(open + 1) === QUOTE) {
      const q = this.scanQuoted(open + 1, false);
      key = q.value;
      close = q.end;
      if (this.code(close) !== RBRACKET) {
        throw searchError('Expected "]" after quoted tag key', close, this.wordAt(close));
      }
    } else {
      close = open + 1;
      while (close < this.len && this.src.charCodeAt(close) !== RBRACKET) {
        const c = this.src.charCodeAt(close);
        if (c === QUOTE || c === LBRACKET) {
          throw searchError(`Unexpected "${this.src[close]}" in tag key`, close, this.wordAt(close));
        }
        close++;
      }
      if (close >= this.len) throw searchError('Unterminated tag key (missing "]")', keyStart, this.src.slice(keyStart));
      key = this.src.slice(open + 1, close).trim();
    }
    const keyEnd = close + 1;
    if (key === '') throw searchError('Empty tag key', keyStart, this.src.slice(keyStart, keyEnd));
    if (key.length > MAX_KEY_LENGTH) {
      throw searchError(`Search key is too long (the maximum is ${MAX_KEY_LENGTH} characters)`, keyStart, this.src.slice(keyStart, keyEnd));
    }
    if (this.code(keyEnd) !== COLON) {
      throw searchError('Expected ":" after tag key (quote the text to search for it literally)', keyEnd, this.src.slice(keyStart, keyEnd + 1));
    }
    this.pos = keyEnd + 1;
    return { key, explicitTag: true, keyStart, keyEnd };
  }

  private filter(
    start: number,
    negated: boolean,
    k: { key: string; explicitTag: boolean; keyStart: number; keyEnd: number },
  ): ParsedFilterTerm {
    const src = this.src;
    // Operator.
    let op: ComparisonOp | null = null;
    const opStart = this.pos;
    const c0 = this.code();
    if (c0 === GT || c0 === LT) {
      if (this.code(this.pos + 1) === EQ) {
        op = c0 === GT ? '>=' : '<=';
        this.pos += 2;
      } else {
        op = c0 === GT ? '>' : '<';
        this.pos += 1;
      }
      const c1 = this.code();
      if (c1 === GT || c1 === LT || c1 === EQ || c1 === BANG) {
        let j = opStart;
        while (j < this.len && (src.charCodeAt(j) === GT || src.charCodeAt(j) === LT || src.charCodeAt(j) === EQ || src.charCodeAt(j) === BANG)) j++;
        throw searchError(
          `Invalid operator "${src.slice(opStart, j)}" for "${k.key}" (use >, >=, < or <=)`,
          opStart,
          src.slice(opStart, j),
        );
      }
      if (this.atBoundary()) {
        throw searchError(`Missing value after "${op}" for "${k.key}"`, opStart, src.slice(start, this.pos));
      }
      if (this.code() === LBRACKET) {
        throw searchError(`A comparison operator cannot be combined with a list for "${k.key}"`, opStart, this.wordAt(start));
      }
    } else if (c0 === EQ) {
      throw searchError(
        `Unsupported operator "=" for "${k.key}": write ${k.key}:value for equality`,
        opStart,
        this.wordAt(start),
      );
    } else if (c0 === BANG) {
      const what = this.code(this.pos + 1) === EQ ? `"${k.key}:!=value"` : `"${k.key}:!value"`;
      throw searchError(
        `${what} is not supported: negate with "!${k.key}:value" (quote the value to search for a leading "!")`,
        opStart,
        this.wordAt(start),
      );
    }

    let values: ParsedValue[];
    let list = false;
    if (this.atBoundary()) {
      // `key:` with nothing after it. Represented as an empty value; spec.ts reports it.
      values = [{ value: '', raw: '', quoted: false, wildcard: false, escapedStar: false, start: this.pos, end: this.pos }];
    } else if (this.code() === LBRACKET) {
      list = true;
      values = this.list(start, k.key);
    } else if (this.code() === QUOTE) {
      const vStart = this.pos;
      const q = this.scanQuoted(vStart, true);
      this.pos = q.end;
      this.expectBoundaryAfter('closing quote');
      values = [{ value: q.value, raw: src.slice(vStart, q.end), quoted: true, wildcard: q.wildcard, escapedStar: q.escapedStar, start: vStart, end: q.end }];
    } else {
      values = [this.unquotedValue(false)]; // stops only at whitespace or end of input
    }
    return {
      type: 'filter',
      negated,
      key: k.key,
      explicitTag: k.explicitTag,
      keyStart: k.keyStart,
      keyEnd: k.keyEnd,
      op,
      list,
      values,
      start,
      end: this.pos,
      raw: src.slice(start, this.pos),
    };
  }

  private list(termStart: number, key: string): ParsedValue[] {
    const listStart = this.pos;
    this.pos++; // [
    const unterminated = () => searchError(`Unterminated list for "${key}" (missing "]")`, listStart, this.src.slice(termStart));
    this.skipWhitespace();
    if (this.code() === RBRACKET) throw searchError(`Empty list for "${key}"`, listStart, this.src.slice(listStart, this.pos + 1));
    const items: ParsedValue[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.len) throw unterminated();
      const c = this.code();
      if (c === COMMA || c === RBRACKET) throw searchError(`Empty list item for "${key}"`, this.pos, this.src[this.pos]!);
      if (items.length >= MAX_LIST_ITEMS) {
        throw searchError(`Too many list items for "${key}" (the maximum is ${MAX_LIST_ITEMS})`, this.pos, this.wordAt(this.pos));
      }
      if (c === QUOTE) {
        const vStart = this.pos;
        const q = this.scanQuoted(vStart, true);
        this.pos = q.end;
        items.push({ value: q.value, raw: this.src.slice(vStart, q.end), quoted: true, wildcard: q.wildcard, escapedStar: q.escapedStar, start: vStart, end: q.end });
      } else {
        items.push(this.unquotedValue(true));
      }
      this.skipWhitespace();
      if (this.pos >= this.len) throw unterminated();
      const sep = this.code();
      if (sep === COMMA) {
        this.pos++;
        continue;
      }
      if (sep === RBRACKET) {
        this.pos++;
        break;
      }
      throw searchError(`Expected "," or "]" in list for "${key}"`, this.pos, this.wordAt(this.pos));
    }
    this.expectBoundaryAfter('list');
    return items;
  }

  private expectBoundaryAfter(what: string): void {
    if (!this.atBoundary()) {
      throw searchError(`Unexpected text after ${what} (separate terms with a space)`, this.pos, this.wordAt(this.pos));
    }
  }

  /**
   * An unquoted filter value (or list item when `inList`): up to whitespace (or "," / "]" in
   * a list). `\*` is a literal star; every other backslash is literal.
   */
  private unquotedValue(inList: boolean): ParsedValue {
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
  private scanQuoted(start: number, trackStars: boolean): QuotedResult {
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

  private quotedText(start: number, negated: boolean): ParsedTextTerm {
    const q = this.scanQuoted(this.pos, false);
    this.pos = q.end;
    this.expectBoundaryAfter('closing quote');
    return { type: 'text', negated, value: q.value, quoted: true, start, end: this.pos, raw: this.src.slice(start, this.pos) };
  }

  private unquotedText(start: number, negated: boolean): ParsedTextTerm {
    const textStart = this.pos;
    while (this.pos < this.len) {
      const c = this.src.charCodeAt(this.pos);
      if (isSearchWhitespace(c)) break;
      if (c === QUOTE) {
        throw searchError('Unexpected quote inside a word (quote the whole phrase instead)', this.pos, this.wordAt(this.pos));
      }
      this.pos++;
    }
    const value = this.src.slice(textStart, this.pos);
    if (!negated && (value === 'AND' || value === 'OR')) {
      throw searchError(
        `Boolean operator "${value}" is not supported: terms are always combined with AND; use key:[a, b] to match any of several values, or quote "${value}" to search for the word`,
        start,
        value,
      );
    }
    return { type: 'text', negated, value, quoted: false, start, end: this.pos, raw: this.src.slice(start, this.pos) };
  }
}
