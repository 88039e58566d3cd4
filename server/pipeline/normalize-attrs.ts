// Event attributes (protocol §5.1, §5.5–5.8): level, tags, breadcrumbs, sdk, modules and
// fingerprint.

import { parseTimestamp } from './normalize-time.ts';
import {
  LENIENT, TRIM, addError, bagObject, cleanTrunc, isObj, setKey, str, valuesOf,
  type JsonObject, type NormState,
} from './normalize-util.ts';

export type Level = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

const LEVEL_NAMES: Record<string, Level> = {
  fatal: 'fatal', critical: 'fatal', error: 'error', err: 'error', warning: 'warning', warn: 'warning',
  info: 'info', log: 'info', debug: 'debug', trace: 'debug', sample: 'info',
};
const RAVEN_LEVELS: Record<number, Level> = { 10: 'debug', 20: 'info', 30: 'warning', 40: 'error', 50: 'fatal' };

/** fatal|error|warning|info|debug from names, aliases and raven's integer levels. */
export function levelOf(v: unknown): Level | undefined {
  if (typeof v === 'number') return RAVEN_LEVELS[v];
  if (typeof v !== 'string' || v.length > 16) return undefined;
  const s = v.trim().toLowerCase();
  if (/^\d{2}$/.test(s)) return RAVEN_LEVELS[Number(s)];
  return Object.hasOwn(LEVEL_NAMES, s) ? LEVEL_NAMES[s] : undefined;
}

// --- tags ------------------------------------------------------------------------------

export const MAX_TAGS = 200;
export const MAX_TAG_KEY = 200;
export const MAX_TAG_VALUE = 200;
/** Derived server-side (Relay drops them from the client's tags). */
const RESERVED_TAGS = new Set(['release', 'dist', 'user', 'filename', 'function']);

function tagValue(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = (v.length > 4 * MAX_TAG_VALUE ? v.slice(0, 4 * MAX_TAG_VALUE) : v).replace(/[\r\n]+/g, ' ').trim();
    return s ? cleanTrunc(s, MAX_TAG_VALUE, false) : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Tags as an object or as `[key, value]` pairs → unique-keyed pairs (first wins). Returns
 * also the `environment` tag, which legacy clients used instead of the attribute.
 */
export function normalizeTags(st: NormState, raw: unknown): { tags: [string, string][]; environment?: string } {
  const out: [string, string][] = [];
  let environment: string | undefined;
  if (raw === undefined || raw === null) return { tags: out };
  const seen = new Set<string>();
  const add = (k: unknown, v: unknown) => {
    if (v === null || v === undefined) return;
    const key = typeof k === 'string' ? k.slice(0, 4 * MAX_TAG_KEY).trim() : typeof k === 'number' ? String(k) : '';
    const value = tagValue(v);
    if (!key || value === undefined) {
      addError(st, 'invalid_data', 'tags', isObj(v) || Array.isArray(v) ? v : k);
      return;
    }
    const ck = cleanTrunc(key, MAX_TAG_KEY, false);
    if (ck === 'environment') {
      environment ??= value;
      return;
    }
    if (RESERVED_TAGS.has(ck) || seen.has(ck)) return;
    seen.add(ck);
    out.push([ck, value]);
  };
  if (Array.isArray(raw)) {
    const n = Math.min(raw.length, MAX_TAGS * 2);
    for (let i = 0; i < n && out.length < MAX_TAGS; i++) {
      const p = raw[i];
      if (Array.isArray(p) && p.length === 2) add(p[0], p[1]);
      else if (isObj(p) && 'key' in p) add(p.key, p.value);
      else addError(st, 'invalid_data', 'tags', p);
    }
  } else if (isObj(raw)) {
    let n = 0;
    for (const k in raw) {
      if (!Object.hasOwn(raw, k)) continue;
      if (out.length >= MAX_TAGS || ++n > MAX_TAGS * 2) break;
      add(k, raw[k]);
    }
  } else {
    addError(st, 'invalid_data', 'tags', raw);
  }
  return environment === undefined ? { tags: out } : { tags: out, environment };
}

// --- breadcrumbs -------------------------------------------------------------------------

export const MAX_BREADCRUMBS = 100;

export interface NormalizedBreadcrumb {
  timestamp?: number;
  type: string;
  category?: string;
  message?: string;
  level: Level;
  data?: JsonObject;
}

export function normalizeBreadcrumbs(st: NormState, raw: unknown, drift: number): NormalizedBreadcrumb[] {
  const values = valuesOf(st, raw, 'breadcrumbs');
  if (!values) return [];
  const out: NormalizedBreadcrumb[] = [];
  const start = Math.max(0, values.length - MAX_BREADCRUMBS); // keep the newest
  for (let i = start; i < values.length; i++) {
    const b = values[i];
    if (!isObj(b)) {
      addError(st, 'invalid_data', 'breadcrumb', b);
      continue;
    }
    const crumb: NormalizedBreadcrumb = {
      type: str(st, b.type, 64, 'breadcrumb.type', TRIM) ?? 'default',
      level: levelOf(b.level) ?? 'info',
    };
    const ts = parseTimestamp(b.timestamp);
    if (ts !== null) crumb.timestamp = ts + drift;
    const category = str(st, b.category, 256, 'breadcrumb.category', TRIM);
    if (category) crumb.category = category;
    const message = str(st, b.message, 4096, 'breadcrumb.message', LENIENT);
    if (message) crumb.message = message;
    const data = bagObject(st, b.data, { maxDepth: 4, maxChars: 4096, maxString: 1024 }, 'breadcrumb.data');
    if (data) crumb.data = data;
    out.push(crumb);
  }
  return out;
}

// --- sdk, modules, fingerprint -----------------------------------------------------------

export interface NormalizedSdk {
  name: string;
  version: string;
  integrations?: string[];
  packages?: { name: string; version: string }[];
}

export function normalizeSdk(
  st: NormState,
  raw: unknown,
  fallback: { name: string; version: string } | null | undefined,
): NormalizedSdk | undefined {
  if (isObj(raw)) {
    const name = str(st, raw.name, 128, 'sdk.name', TRIM);
    const version = str(st, raw.version, 128, 'sdk.version', TRIM | LENIENT);
    if (name && version) {
      const sdk: NormalizedSdk = { name, version };
      const integrations = raw.integrations;
      if (Array.isArray(integrations)) {
        const list = integrations.slice(0, 100).filter((x): x is string => typeof x === 'string').map((x) => cleanTrunc(x, 128));
        if (list.length) sdk.integrations = list;
      }
      const packages = raw.packages;
      if (Array.isArray(packages)) {
        const list: { name: string; version: string }[] = [];
        for (const p of packages.slice(0, 100)) {
          if (!isObj(p)) continue;
          const pn = p.name, pv = p.version;
          if (typeof pn === 'string' && typeof pv === 'string') list.push({ name: cleanTrunc(pn, 256), version: cleanTrunc(pv, 128) });
        }
        if (list.length) sdk.packages = list;
      }
      return sdk;
    }
  } else if (raw !== undefined && raw !== null) {
    addError(st, 'invalid_data', 'sdk', raw);
  }
  if (fallback && typeof fallback.name === 'string' && typeof fallback.version === 'string' && fallback.name) {
    return { name: cleanTrunc(fallback.name, 128), version: cleanTrunc(fallback.version, 128) };
  }
  return undefined;
}

export function normalizeModules(st: NormState, raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === null) return out;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'modules', raw);
    return out;
  }
  let n = 0;
  for (const k in raw) {
    if (!Object.hasOwn(raw, k)) continue;
    if (++n > 500) {
      addError(st, 'value_too_long', 'modules');
      break;
    }
    const v = raw[k];
    if (typeof v === 'string' || typeof v === 'number') setKey(out, cleanTrunc(k, 256, false), cleanTrunc(String(v), 128, false));
  }
  return out;
}

export const MAX_FINGERPRINT = 64;

/** Strings, numbers and booleans (stringified); other entries are dropped. Empty → null. */
export function normalizeFingerprint(st: NormState, raw: unknown): string[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) {
    addError(st, 'invalid_data', 'fingerprint', raw);
    return null;
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length && out.length < MAX_FINGERPRINT; i++) {
    const v = raw[i];
    if (typeof v === 'string') out.push(cleanTrunc(v, 1024, false));
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out.push(String(v));
    else addError(st, 'invalid_data', 'fingerprint', v);
  }
  return out.length ? out : null;
}
