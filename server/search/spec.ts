/**
 * Faultline search language: the validation layer.
 *
 * `resolveSearch` checks parsed terms against a per-surface key registry (`SearchSpec`)
 * and turns them into typed, data-only terms (`ResolvedTerm`) that the SQL compiler can
 * bind as parameters. Nothing in a ResolvedTerm is SQL text; every string in it is a value.
 *
 * Conventions of the output (so the compiler needs no knowledge of the syntax):
 *  - Terms are ANDed. Multi-valued terms (`values`) mean "any of" (or "none of" when negated).
 *  - Number/duration/date comparisons never carry `negated`: `!key:>5` becomes `key <= 5`,
 *    `!key:5` becomes `key != 5`.
 *  - Absolute dates denote an interval at the written precision (a day, a minute, a second,
 *    a millisecond). Without an operator you get a `date_range` term [from, to); with an
 *    operator you get a `date` term whose op is always `>=` or `<`:
 *      `>X` → `>= end(X)`, `>=X` → `>= start(X)`, `<X` → `< start(X)`, `<=X` → `< end(X)`.
 *    Relative dates: `-24h` (within the last 24h) → `>= now-24h`; `+24h` (older than) →
 *    `< now-24h`.
 *  - `wildcard: true` on a string/tag term means every `*` in its values is a wildcard;
 *    otherwise values are literal (a user writes `\*` for a literal star; a term cannot
 *    mix both). Use `wildcardToLike` / `escapeLike` to build LIKE patterns.
 */
import { termError } from './errors.ts';
import { isKeyChar } from './parse-scan.ts';
import type { ComparisonOp, ParsedFilterTerm, ParsedQuery } from './parse-terms.ts';
import { invertNumberOp, parseDuration, parseNumber, resolveDate } from './spec-comparable.ts';
import { noWildcard, resolveAssignee, resolveEnum, resolveStringLike } from './spec-strings.ts';

export type KeyType = 'enum' | 'string' | 'number' | 'date' | 'boolean' | 'duration' | 'assignee';

export interface KeySpec {
  type: KeyType;
  /** `enum` only: the accepted values (matched case-insensitively, output canonical). */
  values?: readonly string[];
  /** Other names for this key (`first_seen` for `firstSeen`); terms carry the canonical name. */
  aliases?: readonly string[];
  /** Accept `key:[a, b]`. Default: true for enum/string/assignee. Never for number/date/boolean/duration. */
  allowList?: boolean;
  /** Accept `*` in values. Default: true for string, false for enum/assignee (enum wildcards expand against `values`). */
  allowWildcard?: boolean;
  /** Accept `!key:...`. Default: true. */
  allowNegation?: boolean;
  /** `enum` only: value aliases, e.g. `{ archived: 'ignored' }` (keys lower-case). */
  valueAliases?: Readonly<Record<string, string>>;
  /** `number` only: require an integer (after `k`/`m`/`b` suffixes). */
  integer?: boolean;
}

export interface SearchSpec {
  keys: Record<string, KeySpec>;
  /** What an unknown `key:value` is: a tag filter, or an error. */
  unknownKeys: 'tag' | 'error';
  /** Whether free text (`timeout`, `"connection reset"`) is allowed. */
  freeText: boolean;
}

export type Assignee =
  | { type: 'me' }
  | { type: 'none' }
  | { type: 'my_teams' }
  | { type: 'user'; email: string }
  | { type: 'team'; slug: string };

export type NumberOp = '=' | '!=' | ComparisonOp;

export type ResolvedTerm =
  | { kind: 'enum'; key: string; values: string[]; negated: boolean }
  | { kind: 'string'; key: string; values: string[]; negated: boolean; wildcard: boolean }
  | { kind: 'tag'; key: string; values: string[]; negated: boolean; wildcard: boolean }
  | { kind: 'number'; key: string; op: NumberOp; value: number }
  | { kind: 'duration'; key: string; op: NumberOp; /** milliseconds */ value: number }
  | { kind: 'date'; key: string; op: ComparisonOp; value: Date }
  | { kind: 'date_range'; key: string; /** inclusive */ from: Date; /** exclusive */ to: Date; negated: boolean }
  | { kind: 'boolean'; key: string; value: boolean }
  | { kind: 'assignee'; key: string; values: Assignee[]; negated: boolean }
  | { kind: 'has'; key: string; /** true when the key is a tag (unknown key or `tags[...]`) */ tag: boolean; negated: boolean }
  | { kind: 'text'; value: string; negated: boolean };

export type ResolvedTermKind = ResolvedTerm['kind'];

// ---------------------------------------------------------------------------------------
// LIKE helpers for the compiler (Postgres LIKE/ILIKE with the default escape character `\`).

/** Escape `\`, `%` and `_` so the string matches itself literally in LIKE/ILIKE. */
export function escapeLike(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' || ch === '%' || ch === '_') out += '\\';
    out += ch;
  }
  return out;
}

/** A value of a `wildcard: true` term as a LIKE pattern: literal text escaped, `*` → `%`. */
export function wildcardToLike(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '*') out += '%';
    else if (ch === '\\' || ch === '%' || ch === '_') out += '\\' + ch;
    else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------

interface KeyEntry {
  name: string;
  spec: KeySpec;
}

const compiled = new WeakMap<SearchSpec, Map<string, KeyEntry>>();

/** Build (once per spec object) the lookup of names and aliases. Throws plain Error on a bad spec. */
function keyIndex(spec: SearchSpec): Map<string, KeyEntry> {
  let index = compiled.get(spec);
  if (index) return index;
  index = new Map();
  const add = (name: string, entry: KeyEntry) => {
    if (name === 'has') throw new Error('SearchSpec: "has" is reserved');
    if (name === '' || ![...name].every((ch) => isKeyChar(ch.charCodeAt(0)))) {
      throw new Error(`SearchSpec: invalid key name "${name}"`);
    }
    if (index!.has(name)) throw new Error(`SearchSpec: duplicate key or alias "${name}"`);
    index!.set(name, entry);
  };
  for (const [name, keySpec] of Object.entries(spec.keys)) {
    if (keySpec.type === 'enum' && (!keySpec.values || keySpec.values.length === 0)) {
      throw new Error(`SearchSpec: enum key "${name}" needs values`);
    }
    const entry = { name, spec: keySpec };
    add(name, entry);
    for (const alias of keySpec.aliases ?? []) add(alias, entry);
  }
  compiled.set(spec, index);
  return index;
}

/**
 * Validate parsed terms against `spec` and resolve them to typed terms. `now` anchors
 * relative dates.
 *
 * @throws SearchSyntaxError for any invalid term (unknown key or value, bad number/date,
 *         forbidden list/wildcard/negation/operator, empty value, free text where not allowed).
 */
export function resolveSearch(parsed: ParsedQuery, spec: SearchSpec, now: Date): ResolvedTerm[] {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('resolveSearch: now must be a valid Date');
  const index = keyIndex(spec);
  const out: ResolvedTerm[] = [];
  for (const term of parsed.terms) {
    if (term.type === 'text') {
      if (!spec.freeText) {
        throw termError(`Free text search is not supported here; use key:value filters ("${term.raw}")`, term.start, term.raw);
      }
      if (term.value === '') throw termError('Empty search text', term.start, term.raw);
      out.push({ kind: 'text', value: term.value, negated: term.negated });
      continue;
    }
    out.push(resolveFilter(term, spec, index, now));
  }
  return out;
}

function resolveFilter(term: ParsedFilterTerm, spec: SearchSpec, index: Map<string, KeyEntry>, now: Date): ResolvedTerm {
  if (!term.explicitTag && term.key === 'has') return resolveHas(term, spec, index);

  const entry = term.explicitTag ? undefined : index.get(term.key);
  if (!entry) {
    if (spec.unknownKeys === 'error') {
      const msg = term.explicitTag
        ? `Tag search is not supported here ("tags[${term.key}]")`
        : `Unknown search key "${term.key}"`;
      throw termError(msg, term.keyStart, term.raw.slice(term.keyStart - term.start, term.keyEnd - term.start));
    }
    if (term.op) throw termError(`Operator "${term.op}" is not supported for tag "${term.key}"`, term.keyEnd + 1, term.op);
    checkNotEmpty(term, term.key);
    return resolveStringLike('tag', term.key, term, { type: 'string' });
  }
  const { name, spec: ks } = entry;

  if (term.negated && ks.allowNegation === false) {
    throw termError(`"${name}" cannot be negated`, term.start, term.raw);
  }
  const listDefault = ks.type === 'enum' || ks.type === 'string' || ks.type === 'assignee';
  const listAllowed = listDefault && ks.allowList !== false;
  if (term.list && !listAllowed) {
    throw termError(`"${name}" does not accept a list of values`, term.values[0]!.start - 1, term.raw);
  }
  const comparable = ks.type === 'number' || ks.type === 'date' || ks.type === 'duration';
  if (term.op && !comparable) {
    throw termError(`Operator "${term.op}" is not supported for "${name}"`, term.keyEnd + 1, term.op);
  }
  checkNotEmpty(term, name);

  switch (ks.type) {
    case 'enum':
      return resolveEnum(name, ks, term);
    case 'string':
      return resolveStringLike('string', name, term, ks);
    case 'assignee':
      return resolveAssignee(name, ks, term);
    case 'number':
    case 'duration': {
      const v = term.values[0]!;
      noWildcard(name, v, ks.type);
      const value = ks.type === 'number' ? parseNumber(name, v, ks.integer === true) : parseDuration(name, v);
      let op: NumberOp = term.op ?? '=';
      if (term.negated) op = invertNumberOp(op);
      return ks.type === 'number' ? { kind: 'number', key: name, op, value } : { kind: 'duration', key: name, op, value };
    }
    case 'boolean': {
      const v = term.values[0]!;
      const lower = v.value.toLowerCase();
      let value: boolean;
      if (lower === 'true' || lower === 'yes' || lower === '1') value = true;
      else if (lower === 'false' || lower === 'no' || lower === '0') value = false;
      else throw termError(`Invalid value "${v.value}" for "${name}": expected true or false`, v.start, v.raw);
      return { kind: 'boolean', key: name, value: term.negated ? !value : value };
    }
    case 'date':
      return resolveDate(name, term, now);
  }
}

function checkNotEmpty(term: ParsedFilterTerm, name: string): void {
  for (const v of term.values) {
    if (v.value !== '') continue;
    if (!v.quoted && !term.list) {
      throw termError(
        `Missing value for "${name}": write ${term.key}:value, or quote the text ("${term.raw}") to search for it literally`,
        v.start,
        term.raw,
      );
    }
    throw termError(`Empty value for "${name}" (use !has:${term.key} to find missing values)`, v.start, v.raw);
  }
}

function resolveHas(term: ParsedFilterTerm, spec: SearchSpec, index: Map<string, KeyEntry>): ResolvedTerm {
  if (term.list) throw termError('"has" takes a single key, not a list', term.values[0]!.start - 1, term.raw);
  if (term.op) throw termError(`Operator "${term.op}" is not supported for "has"`, term.keyEnd + 1, term.op);
  const v = term.values[0]!;
  if (v.value === '') throw termError('Missing key for "has": write has:key', v.start, term.raw);
  if (v.wildcard || v.escapedStar) throw termError('Wildcards are not supported for "has"', v.start, v.raw);

  let key = v.value;
  let explicitTag = false;
  if (key.startsWith('tags[') && key.endsWith(']')) {
    key = key.slice(5, -1).trim();
    explicitTag = true;
    if (key === '') throw termError('Empty tag key for "has"', v.start, v.raw);
  } else if (![...key].every((ch) => isKeyChar(ch.charCodeAt(0)))) {
    throw termError(`Invalid key "${key}" for "has"`, v.start, v.raw);
  }
  if (key.length > 200) throw termError('Key for "has" is too long', v.start, v.raw);

  const entry = explicitTag ? undefined : index.get(key);
  if (entry) return { kind: 'has', key: entry.name, tag: false, negated: term.negated };
  if (spec.unknownKeys === 'error') {
    throw termError(explicitTag ? `Tag search is not supported here ("${v.value}")` : `Unknown search key "${key}"`, v.start, v.raw);
  }
  return { kind: 'has', key, tag: true, negated: term.negated };
}

