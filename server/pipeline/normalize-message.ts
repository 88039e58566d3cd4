// The message of an event (§5.1 `message` / `logentry`): a template with params and/or the
// formatted text. Legacy forms: `message` as a plain string or an object,
// `sentry.interfaces.Message`, and non-string JSON that gets stringified.

import {
  addError, bag, get, isObj, stringifyBounded, str, trunc,
  type JsonObject, type JsonValue, type NormState,
} from './normalize-util.ts';

export const MAX_MESSAGE = 8192;

export interface NormalizedLogEntry {
  /** The template (`"User %s failed"`), when the SDK sent one that differs from `formatted`. */
  message?: string;
  params?: JsonValue[] | JsonObject;
  formatted: string;
}

// `%%`, `%(name)s`, `%5.2f`-style, `{0}` / `{name}` / `{}`. Quantifiers are bounded so a run
// of flags or digits cannot backtrack quadratically.
const PLACEHOLDER =
  /%%|%\(([A-Za-z0-9_.-]{1,64})\)[-#0 +]{0,4}\d{0,3}(?:\.\d{1,3})?[sdifrxXoeEgGcua]|%[-#0 +]{0,4}\d{0,3}(?:\.\d{1,3})?[sdifrxXoeEgGcua]|\{([A-Za-z0-9_.-]{0,64})\}/g;

function paramText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return stringifyBounded(v, 256);
}

/** Formats `%s`/`%d`/`%(name)s`/`{0}`/`{name}` placeholders; unknown ones stay as they are. */
export function formatMessage(template: string, params: unknown[] | Record<string, unknown>): string {
  let seq = 0;
  let out = '';
  let last = 0;
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(template); m; m = PLACEHOLDER.exec(template)) {
    out += template.slice(last, m.index);
    last = m.index + m[0].length;
    const tok = m[0];
    let rep: string | undefined;
    if (tok === '%%') rep = '%';
    else if (m[1] !== undefined) rep = !Array.isArray(params) && Object.hasOwn(params, m[1]) ? paramText(params[m[1]]) : undefined;
    else if (m[2] !== undefined) {
      const key = m[2];
      if (Array.isArray(params)) {
        const idx = key === '' ? seq++ : /^\d{1,4}$/.test(key) ? Number(key) : -1;
        rep = idx >= 0 && idx < params.length ? paramText(params[idx]) : undefined;
      } else if (key !== '' && Object.hasOwn(params, key)) {
        rep = paramText(params[key]);
      }
    } else if (Array.isArray(params)) {
      rep = seq < params.length ? paramText(params[seq]) : undefined;
      seq++;
    }
    out += rep ?? tok;
    if (out.length > MAX_MESSAGE) return trunc(out, MAX_MESSAGE);
  }
  out += template.slice(last);
  return trunc(out, MAX_MESSAGE);
}

function lenientText(st: NormState, v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return str(st, v, MAX_MESSAGE, name);
  return stringifyBounded(v, MAX_MESSAGE) || undefined;
}

function fromObject(st: NormState, o: Record<string, unknown>, name: string): NormalizedLogEntry | undefined {
  const message = lenientText(st, o.message, `${name}.message`);
  let formatted = lenientText(st, o.formatted, `${name}.formatted`);
  const rawParams = o.params;
  let params: JsonValue[] | JsonObject | undefined;
  if (Array.isArray(rawParams) || isObj(rawParams)) {
    params = bag(st, rawParams, { maxDepth: 3, maxChars: 4096, maxString: 1024, maxItems: 64 }, `${name}.params`) as
      | JsonValue[]
      | JsonObject
      | undefined;
  } else if (rawParams !== undefined && rawParams !== null) {
    addError(st, 'invalid_data', `${name}.params`, rawParams);
  }
  if (formatted === undefined && message !== undefined) {
    formatted = params ? formatMessage(message, params as unknown[] | Record<string, unknown>) : message;
  }
  if (formatted === undefined) return undefined;
  const e: NormalizedLogEntry = { formatted };
  if (message !== undefined && message !== formatted) e.message = message;
  if (params !== undefined) e.params = params;
  return e;
}

/** `logentry`, else legacy `message`, else `sentry.interfaces.Message`. */
export function normalizeLogEntry(st: NormState, raw: Record<string, unknown>): NormalizedLogEntry | null {
  for (const key of ['logentry', 'message', 'sentry.interfaces.Message']) {
    const v = get(raw, key);
    if (v === undefined || v === null || v === false || v === '') continue;
    let e: NormalizedLogEntry | undefined;
    if (typeof v === 'string') {
      const s = str(st, v, MAX_MESSAGE, key);
      e = s === undefined ? undefined : { formatted: s };
    } else if (isObj(v)) {
      e = fromObject(st, v, key);
    } else {
      const s = stringifyBounded(v, MAX_MESSAGE);
      e = s ? { formatted: s } : undefined;
    }
    if (e) return e;
    addError(st, 'invalid_data', key, v);
  }
  return null;
}
