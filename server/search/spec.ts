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
import {
  type ComparisonOp,
  type ParsedFilterTerm,
  type ParsedQuery,
  type ParsedValue,
  isKeyChar,
  searchError,
  SearchSyntaxError,
} from './parse.ts';

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

/** Error with the brief's message shape, position appended: `<message> (at position N)`. */
function termError(message: string, position: number, token: string): SearchSyntaxError {
  return new SearchSyntaxError(`${message} (at position ${position})`, position, token);
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

function noWildcard(name: string, v: ParsedValue, what: string): void {
  if (v.wildcard) throw termError(`Wildcards are not supported for "${name}" (${what})`, v.start, v.raw);
}

function resolveStringLike(kind: 'string' | 'tag', name: string, term: ParsedFilterTerm, ks: KeySpec): ResolvedTerm {
  const allowWildcard = kind === 'tag' || ks.allowWildcard !== false;
  let wildcard = false;
  let escapedStar = false;
  for (const v of term.values) {
    if (v.wildcard && !allowWildcard) noWildcard(name, v, 'exact match only');
    wildcard ||= v.wildcard;
    escapedStar ||= v.escapedStar;
    if (wildcard && escapedStar) {
      throw termError(`Cannot mix a literal "\\*" with "*" wildcards in one filter for "${name}"`, v.start, v.raw);
    }
  }
  return { kind, key: name, values: dedupe(term.values.map((v) => v.value)), negated: term.negated, wildcard };
}

function resolveEnum(name: string, ks: KeySpec, term: ParsedFilterTerm): ResolvedTerm {
  const canonical = ks.values!;
  const aliases = ks.valueAliases ?? {};
  const values: string[] = [];
  for (const v of term.values) {
    const lower = v.value.toLowerCase();
    if (v.wildcard) {
      if (ks.allowWildcard !== true) noWildcard(name, v, `expected one of ${expectedList(ks)}`);
      const matches = canonical.filter((c) => globMatch(lower, c.toLowerCase()));
      if (matches.length === 0) {
        throw termError(`Invalid value "${v.value}" for "${name}": expected one of ${expectedList(ks)}`, v.start, v.raw);
      }
      values.push(...matches);
      continue;
    }
    const hit = canonical.find((c) => c.toLowerCase() === lower);
    if (hit !== undefined) {
      values.push(hit);
      continue;
    }
    if (Object.hasOwn(aliases, lower)) {
      values.push(aliases[lower]!);
      continue;
    }
    throw termError(`Invalid value "${v.value}" for "${name}": expected one of ${expectedList(ks)}`, v.start, v.raw);
  }
  return { kind: 'enum', key: name, values: dedupe(values), negated: term.negated };
}

function expectedList(ks: KeySpec): string {
  return [...(ks.values ?? []), ...Object.keys(ks.valueAliases ?? {})].join(', ');
}

const TEAM_SLUG_MAX = 100;
const EMAIL_MAX = 254;

function resolveAssignee(name: string, ks: KeySpec, term: ParsedFilterTerm): ResolvedTerm {
  const values: Assignee[] = [];
  const seen = new Set<string>();
  for (const v of term.values) {
    if (v.wildcard && ks.allowWildcard !== true) noWildcard(name, v, 'expected me, none, my_teams, #team-slug or an email');
    const a = parseAssignee(v.value);
    if (!a) {
      throw termError(`Invalid value "${v.value}" for "${name}": expected me, none, my_teams, #team-slug or an email`, v.start, v.raw);
    }
    const id = JSON.stringify(a);
    if (!seen.has(id)) {
      seen.add(id);
      values.push(a);
    }
  }
  return { kind: 'assignee', key: name, values, negated: term.negated };
}

function parseAssignee(raw: string): Assignee | null {
  const lower = raw.toLowerCase();
  if (lower === 'me') return { type: 'me' };
  if (lower === 'none') return { type: 'none' };
  if (lower === 'my_teams') return { type: 'my_teams' };
  if (raw.startsWith('#')) {
    const slug = raw.slice(1);
    if (slug.length === 0 || slug.length > TEAM_SLUG_MAX) return null;
    for (let i = 0; i < slug.length; i++) {
      const c = slug.charCodeAt(i);
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f;
      if (!ok) return null;
    }
    return { type: 'team', slug: slug.toLowerCase() };
  }
  const at = raw.indexOf('@');
  if (at > 0 && at === raw.lastIndexOf('@') && at < raw.length - 1 && raw.length <= EMAIL_MAX) {
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x2c || c === 0x3c || c === 0x3e) return null;
    }
    return { type: 'user', email: raw };
  }
  return null;
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

// ---------------------------------------------------------------------------------------
// Numbers and durations

const NUMBER_RE = /^(-?)(\d{1,20})(?:\.(\d{1,20}))?([kmb])?$/i;
const NUMBER_SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

function parseNumber(name: string, v: ParsedValue, integer: boolean): number {
  const m = v.value.length <= 48 ? NUMBER_RE.exec(v.value) : null;
  if (!m) throw termError(`Invalid number "${v.value}" for "${name}"`, v.start, v.raw);
  let n = Number(`${m[1]}${m[2]}${m[3] ? '.' + m[3] : ''}`);
  if (m[4]) n *= NUMBER_SUFFIX[m[4].toLowerCase()]!;
  // Avoid -0 and float noise from suffix multiplication (1.1k → 1100).
  if (m[4]) n = Math.round(n * 1e6) / 1e6;
  if (n === 0) n = 0;
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw termError(`Number "${v.value}" is out of range for "${name}"`, v.start, v.raw);
  }
  if (integer && !Number.isInteger(n)) throw termError(`"${name}" expects a whole number, got "${v.value}"`, v.start, v.raw);
  return n;
}

const DURATION_RE = /^(\d{1,15})(?:\.(\d{1,9}))?(ms|s|m|min|h|d|w)?$/i;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, min: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

function parseDuration(name: string, v: ParsedValue): number {
  const m = v.value.length <= 32 ? DURATION_RE.exec(v.value) : null;
  if (!m) {
    throw termError(`Invalid duration "${v.value}" for "${name}": expected a number with an optional unit (ms, s, m, h, d, w)`, v.start, v.raw);
  }
  const amount = Number(`${m[1]}${m[2] ? '.' + m[2] : ''}`);
  const ms = amount * DURATION_UNIT_MS[(m[3] ?? 'ms').toLowerCase()]!;
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) throw termError(`Duration "${v.value}" is out of range for "${name}"`, v.start, v.raw);
  return ms;
}

function invertNumberOp(op: NumberOp): NumberOp {
  switch (op) {
    case '=':
      return '!=';
    case '!=':
      return '=';
    case '>':
      return '<=';
    case '>=':
      return '<';
    case '<':
      return '>=';
    case '<=':
      return '>';
  }
}

// ---------------------------------------------------------------------------------------
// Dates

/** 0001-01-01T00:00:00Z .. 10000-01-01T00:00:00Z (exclusive): representable in Postgres and ISO. */
const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300800000;
const DAY_MS = 86400e3;
const RELATIVE_UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: DAY_MS, w: 7 * DAY_MS };
const RELATIVE_RE = /^([+-])(\d{1,7})([smhdw])$/;
const ABSOLUTE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parse an absolute date/time into the interval it denotes, or null. Exported for tests. */
export function parseAbsoluteDate(text: string): { start: Date; end: Date } | null {
  const m = text.length <= 40 ? ABSOLUTE_RE.exec(text) : null;
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hasTime = m[4] !== undefined;
  const hour = hasTime ? Number(m[4]) : 0;
  const minute = hasTime ? Number(m[5]) : 0;
  const second = m[6] !== undefined ? Number(m[6]) : 0;
  const fraction = m[7];
  const ms = fraction !== undefined ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null; // Feb 30
  d.setUTCHours(hour, minute, second, ms);
  let offsetMs = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMs = sign * (oh * 60 + om) * 60e3;
  }
  const precision = !hasTime ? DAY_MS : fraction !== undefined ? 1 : m[6] !== undefined ? 1e3 : 60e3;
  const start = d.getTime() - offsetMs;
  const end = start + precision;
  if (start < MIN_TIME || end > MAX_TIME) return null;
  return { start: new Date(start), end: new Date(end) };
}

function resolveDate(name: string, term: ParsedFilterTerm, now: Date): ResolvedTerm {
  const v = term.values[0]!;
  const invalid = () =>
    termError(
      `Invalid date "${v.value}" for "${name}": expected a relative time like -24h or +7d (units s, m, h, d, w), or a date like 2024-01-01 or 2024-01-01T12:00:00Z`,
      v.start,
      v.raw,
    );
  if (v.wildcard) throw invalid();

  const rel = v.value.length <= 16 ? RELATIVE_RE.exec(v.value) : null;
  if (rel) {
    if (term.op) {
      throw termError(
        `A relative date cannot take an operator: use ${term.key}:-${rel[2]}${rel[3]} (within the last ${rel[2]}${rel[3]}) or ${term.key}:+${rel[2]}${rel[3]} (older than ${rel[2]}${rel[3]})`,
        term.keyEnd + 1,
        term.raw,
      );
    }
    const t = now.getTime() - Number(rel[2]) * RELATIVE_UNIT_MS[rel[3]!]!;
    if (!(t >= MIN_TIME && t < MAX_TIME)) throw termError(`Date "${v.value}" is out of range for "${name}"`, v.start, v.raw);
    // "-" = within the last (value >= now - d); "+" = older than (value < now - d).
    let op: ComparisonOp = rel[1] === '-' ? '>=' : '<';
    if (term.negated) op = op === '>=' ? '<' : '>=';
    return { kind: 'date', key: name, op, value: new Date(t) };
  }

  const abs = parseAbsoluteDate(v.value);
  if (!abs) throw invalid();
  if (!term.op) return { kind: 'date_range', key: name, from: abs.start, to: abs.end, negated: term.negated };
  let op: ComparisonOp;
  let value: Date;
  switch (term.op) {
    case '>':
      [op, value] = ['>=', abs.end];
      break;
    case '>=':
      [op, value] = ['>=', abs.start];
      break;
    case '<':
      [op, value] = ['<', abs.start];
      break;
    case '<=':
      [op, value] = ['<', abs.end];
      break;
  }
  if (term.negated) op = op === '>=' ? '<' : '>=';
  return { kind: 'date', key: name, op, value };
}

// ---------------------------------------------------------------------------------------

function dedupe<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** `*`-glob match without regexes (greedy with single backtrack point: O(n·m) worst case). */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export { SearchSyntaxError, searchError };
