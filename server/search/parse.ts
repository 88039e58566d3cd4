/**
 * Faultline search language: the syntax layer.
 *
 * One hand-written, single-pass scanner (no backtracking regexes) shared by issue search,
 * event search and log search. It turns an untrusted query string into a flat list of
 * terms that are implicitly ANDed. It knows nothing about which keys exist or what their
 * values mean: `spec.ts` validates the terms against a per-surface key registry.
 * This file is the grammar; characters and quoting are in `parse-scan.ts`, the term types in
 * `parse-terms.ts`.
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
import { searchError } from './errors.ts';
import { BANG, checkCharacters, COLON, COMMA, EQ, GT, isKeyChar, isSearchWhitespace, LBRACKET, LPAREN, LT, QUOTE, RBRACKET, RPAREN, Scanner } from './parse-scan.ts';
import { MAX_KEY_LENGTH, MAX_LIST_ITEMS, MAX_QUERY_LENGTH, MAX_TERMS } from './parse-terms.ts';
import type { ComparisonOp, ParsedFilterTerm, ParsedQuery, ParsedTerm, ParsedTextTerm, ParsedValue } from './parse-terms.ts';

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

class Parser extends Scanner {
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
