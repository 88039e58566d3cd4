// Shared helpers for event normalization (server/pipeline/normalize.ts).
//
// Every value reaching these helpers is attacker-controlled JSON. The rules:
//  - never throw: wrong types are dropped and recorded as a processing error;
//  - never recurse deeper than a fixed depth, never iterate past a fixed count;
//  - never produce a string longer than the caller's limit;
//  - every string that leaves normalization is well-formed UTF-16 without NUL, so that
//    Postgres `text`/`jsonb` accepts it (jsonb rejects \u0000 and lone surrogates).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A processing error, as in Sentry's `event.errors` (`{type, name?, value?}`). */
export interface ProcessingError {
  type: string;
  name?: string;
  value?: JsonValue;
}

/** At most this many processing errors are kept per event (an attacker could cause millions). */
export const MAX_ERRORS = 50;

/**
 * Mutable state of one normalizeEvent call: the collected errors and the shared budgets that
 * bound the whole output, whatever the shape of the input.
 */
export interface NormState {
  errors: ProcessingError[];
  /** Characters left for free-form data (extra, contexts, vars, request bodies, breadcrumb data...). */
  bagBudget: number;
  /** Stack frames left for the whole event (exceptions + threads + top-level stacktrace). */
  frameBudget: number;
}

/** Total characters of free-form ("databag") data kept per event. */
export const BAG_BUDGET = 512 * 1024;
/** Total stack frames kept per event; per stacktrace the limit is MAX_FRAMES. */
export const FRAME_BUDGET = 1000;

export function newState(): NormState {
  return { errors: [], bagBudget: BAG_BUDGET, frameBudget: FRAME_BUDGET };
}

export function addError(st: NormState, type: string, name?: string, value?: unknown): void {
  if (st.errors.length >= MAX_ERRORS) return;
  const e: ProcessingError = { type };
  if (name !== undefined) e.name = name;
  if (value !== undefined) e.value = preview(value);
  st.errors.push(e);
}

/** A tiny, safe description of a rejected value, for `errors[].value`. */
function preview(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') return trunc(clean(v.length > 200 ? v.slice(0, 200) : v), 200);
  if (Array.isArray(v)) return `[array of ${v.length}]`;
  if (typeof v === 'object') return '[object]';
  return `[${typeof v}]`;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A field of a JSON object. JSON values are never functions, so a function can only come
 * from Object.prototype (`constructor`, `toString`...) and is treated as missing. Cheaper
 * than a hasOwnProperty call on every field read.
 */
export function get(o: Record<string, unknown>, key: string): unknown {
  const v = o[key];
  if (typeof v === 'function' || (key === '__proto__' && !hasOwn.call(o, key))) return undefined;
  return v;
}

/** Sets a key that may be `__proto__` without touching the prototype. */
export function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

// ES2024 string methods (Node 20 has them; our TS lib setting is ES2023).
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

/** Makes a string safe to store: no NUL, no lone surrogates. */
export function clean(s: string): string {
  if (s.indexOf('\u0000') !== -1) s = s.replace(/\u0000/g, '\uFFFD');
  const w = s as unknown as WellFormed;
  return w.isWellFormed() ? s : w.toWellFormed();
}

/**
 * Truncates to at most `max` UTF-16 units. With `ellipsis` (free text) the result ends in
 * "..." like Sentry's trimming; without (identifiers) it is a plain cut. Never splits a
 * surrogate pair.
 */
export function trunc(s: string, max: number, ellipsis = true): string {
  if (s.length <= max) return s;
  const suffix = ellipsis && max > 3 ? '...' : '';
  let end = max - suffix.length;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1;
  return s.slice(0, Math.max(0, end)) + suffix;
}

/** Cut first (cheap on huge inputs), then clean. */
export function cleanTrunc(s: string, max: number, ellipsis = true): string {
  return clean(trunc(s, max, ellipsis));
}

// str() flags: a bit set, so that no options object is allocated per field read.
/** Accept numbers and booleans and stringify them (Sentry's "lenient string"). */
export const LENIENT = 1;
/** Strip surrounding whitespace; an empty result is treated as missing. */
export const TRIM = 2;
/** Plain cut instead of "..." when too long. */
export const PLAIN = 4;

/**
 * Reads a string field. Missing/null → undefined. Wrong type → undefined plus an
 * `invalid_data` error. Empty strings count as missing.
 */
export function str(st: NormState, v: unknown, max: number, name: string, flags = 0): string | undefined {
  if (v === undefined || v === null) return undefined;
  let s: string;
  if (typeof v === 'string') s = v;
  else if ((flags & LENIENT) !== 0 && (typeof v === 'number' || typeof v === 'boolean')) s = Number.isFinite(v) || typeof v === 'boolean' ? String(v) : '';
  else {
    addError(st, 'invalid_data', name, v);
    return undefined;
  }
  if ((flags & TRIM) !== 0) {
    if (s.length > max * 2 + 64) s = s.slice(0, max * 2 + 64);
    s = s.trim();
  }
  if (s === '') return undefined;
  return cleanTrunc(s, max, (flags & PLAIN) === 0);
}

/** Non-negative integer (numbers or numeric strings), else undefined (+ error when present but bad). */
export function uint(st: NormState, v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let n: number = NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.length <= 20 && /^\s*\d+\s*$/.test(v)) n = Number(v);
  if (Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER) return Math.trunc(n);
  addError(st, 'invalid_data', name, v);
  return undefined;
}

export function bool(st: NormState, v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  addError(st, 'invalid_data', name, v);
  return undefined;
}

/** `{values: [...]}`, a bare array, or (legacy) a single object → array (or undefined). */
export function valuesOf(st: NormState, v: unknown, name: string, singleOk = false): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  if (isObj(v)) {
    const inner = v.values;
    if (Array.isArray(inner)) return inner;
    if (inner === undefined && singleOk) return [v];
    if (inner === undefined || inner === null) return undefined;
  }
  addError(st, 'invalid_data', name, v);
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Databags: free-form JSON (extra, contexts, frame vars, request data...). Copied with a
// depth limit, a per-bag character budget and the event-wide BAG_BUDGET.

export interface BagLimits {
  maxDepth: number;
  maxChars: number;
  /** Longest single string inside the bag. */
  maxString?: number;
  /** Most entries per object/array. */
  maxItems?: number;
}

interface BagCursor {
  left: number;
  maxString: number;
  maxItems: number;
  truncated: boolean;
}

/**
 * Copies a JSON value within limits. Containers below `maxDepth` become the strings
 * "[Object]"/"[Array]"; entries beyond the budget are left out. Returns undefined for
 * undefined input. Charges what it keeps to `st.bagBudget`.
 */
export function bag(st: NormState, v: unknown, limits: BagLimits, name: string): JsonValue | undefined {
  if (v === undefined) return undefined;
  const cap = Math.min(limits.maxChars, st.bagBudget);
  if (cap <= 0) {
    addError(st, 'value_too_long', name);
    return undefined;
  }
  const cur: BagCursor = {
    left: cap,
    maxString: limits.maxString ?? 8192,
    maxItems: limits.maxItems ?? 500,
    truncated: false,
  };
  const out = copy(v, limits.maxDepth, cur);
  st.bagBudget -= cap - cur.left;
  if (cur.truncated) addError(st, 'value_too_long', name);
  return out;
}

/** Like bag() but only objects are accepted; anything else is dropped with an error. */
export function bagObject(st: NormState, v: unknown, limits: BagLimits, name: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    addError(st, 'invalid_data', name, v);
    return undefined;
  }
  return bag(st, v, limits, name) as JsonObject | undefined;
}

function copy(v: unknown, depth: number, cur: BagCursor): JsonValue {
  switch (typeof v) {
    case 'string': {
      const max = Math.max(0, Math.min(cur.maxString, cur.left - 2));
      if (v.length > max) cur.truncated = true;
      const s = cleanTrunc(v, max);
      cur.left -= s.length + 2;
      return s;
    }
    case 'number':
      cur.left -= 8;
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      cur.left -= 5;
      return v;
    case 'object':
      break;
    default:
      cur.left -= 4;
      return null;
  }
  if (v === null) {
    cur.left -= 4;
    return null;
  }
  if (Array.isArray(v)) {
    if (depth <= 0) {
      cur.truncated = true;
      cur.left -= 9;
      return '[Array]';
    }
    const out: JsonValue[] = [];
    cur.left -= 2;
    const n = Math.min(v.length, cur.maxItems);
    if (n < v.length) cur.truncated = true;
    for (let i = 0; i < n; i++) {
      if (cur.left <= 0) {
        cur.truncated = true;
        break;
      }
      out.push(copy(v[i], depth - 1, cur));
      cur.left -= 1;
    }
    return out;
  }
  if (depth <= 0) {
    cur.truncated = true;
    cur.left -= 10;
    return '[Object]';
  }
  const out: JsonObject = {};
  cur.left -= 2;
  let count = 0;
  for (const k in v as Record<string, unknown>) {
    if (!hasOwn.call(v, k)) continue;
    if (cur.left <= 0 || count >= cur.maxItems) {
      cur.truncated = true;
      break;
    }
    count++;
    const key = cleanTrunc(k, 256, false);
    cur.left -= key.length + 4;
    setKey(out, key, copy((v as Record<string, unknown>)[k], depth - 1, cur));
  }
  return out;
}

/** JSON text of any value, bounded in depth and length (for stringifying odd messages/params). */
export function stringifyBounded(v: unknown, max: number): string {
  if (typeof v === 'string') return cleanTrunc(v, max);
  const cur: BagCursor = { left: max + 64, maxString: max, maxItems: 100, truncated: false };
  try {
    return trunc(JSON.stringify(copy(v, 6, cur)) ?? '', max);
  } catch {
    return '';
  }
}
