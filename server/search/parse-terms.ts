/**
 * Search language: what `parseSearch` returns (terms with offsets) and the limits it enforces.
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
