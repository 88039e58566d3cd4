// Who sent an event and from where (protocol §5.5–5.8): user, HTTP request and contexts,
// with browser/os contexts derived from the request's User-Agent header.

import { isIP } from 'node:net';
import { browserFromUserAgent, osFromUserAgent } from './normalize-useragent.ts';
import {
  LENIENT, PLAIN, TRIM, addError, bag, bagObject, cleanTrunc, get, isObj, setKey, str, uint,
  type JsonObject, type JsonValue, type NormState,
} from './normalize-util.ts';

// --- user --------------------------------------------------------------------------------

export interface NormalizedUser {
  id?: string;
  email?: string;
  username?: string;
  ip_address?: string;
  name?: string;
  geo?: { country_code?: string; city?: string; subdivision?: string; region?: string };
  segment?: string;
  data?: JsonObject;
}

const USER_KEYS = new Set(['id', 'email', 'username', 'ip_address', 'name', 'geo', 'segment', 'data']);

export function validIp(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const s = v.trim();
  return isIP(s) ? s : undefined;
}

export function normalizeUser(st: NormState, raw: unknown, clientIp: string | undefined): NormalizedUser | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'user', raw);
    return undefined;
  }
  const u: NormalizedUser = {};
  const id = str(st, raw.id, 128, 'user.id', LENIENT | TRIM);
  if (id) u.id = id;
  const email = str(st, raw.email, 256, 'user.email', TRIM);
  if (email) u.email = email;
  const username = str(st, raw.username, 128, 'user.username', LENIENT | TRIM);
  if (username) u.username = username;
  const name = str(st, raw.name, 256, 'user.name', TRIM);
  if (name) u.name = name;
  const segment = str(st, raw.segment, 128, 'user.segment', TRIM);
  if (segment) u.segment = segment;
  const ip = raw.ip_address;
  if (ip === '{{auto}}' || ip === 'auto') {
    if (clientIp) u.ip_address = clientIp;
  } else if (ip !== undefined && ip !== null) {
    const valid = validIp(ip);
    if (valid) u.ip_address = valid;
    else addError(st, 'invalid_data', 'user.ip_address', ip);
  }
  const geo = raw.geo;
  if (isObj(geo)) {
    const g: NonNullable<NormalizedUser['geo']> = {};
    for (const k of ['country_code', 'city', 'subdivision', 'region'] as const) {
      const v = str(st, get(geo, k), 128, `user.geo.${k}`, TRIM);
      if (v) g[k] = v;
    }
    if (Object.keys(g).length) u.geo = g;
  }
  // Relay moves unknown user keys into `data`.
  let data: Record<string, unknown> | undefined;
  const rawData = raw.data;
  if (isObj(rawData)) data = { ...rawData };
  let n = 0;
  for (const k in raw) {
    if (!Object.hasOwn(raw, k) || USER_KEYS.has(k)) continue;
    if (++n > 64) break;
    data ??= {};
    setKey(data, k, raw[k]);
  }
  if (data) {
    const d = bagObject(st, data, { maxDepth: 4, maxChars: 4096, maxString: 1024 }, 'user.data');
    if (d && Object.keys(d).length) u.data = d;
  }
  return Object.keys(u).length ? u : undefined;
}

// --- request -------------------------------------------------------------------------------

export interface NormalizedRequest {
  url?: string;
  method?: string;
  query_string?: [string, string][];
  fragment?: string;
  data?: JsonValue;
  cookies?: [string, string][];
  headers?: [string, string][];
  env?: JsonObject;
  inferred_content_type?: string;
  api_target?: string;
  body_size?: number;
}

const MAX_PAIRS = 100;
const FILTERED_HEADERS = new Set(['Authorization', 'Proxy-Authorization', 'Cookie', 'Set-Cookie']);

function decode(s: string): string {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** `a=b&c=d` / `a=b; c=d` strings, objects, or `[k, v]` pairs → bounded pairs. */
function pairs(st: NormState, v: unknown, name: string, sep: string, valueMax: number): [string, string][] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const out: [string, string][] = [];
  const push = (k: unknown, val: unknown) => {
    if (out.length >= MAX_PAIRS) return;
    const key = typeof k === 'string' ? cleanTrunc(k.trim(), 256, false) : '';
    let value: string | undefined;
    if (typeof val === 'string') value = cleanTrunc(val, valueMax);
    else if (typeof val === 'number' || typeof val === 'boolean') value = String(val);
    else if (Array.isArray(val)) value = cleanTrunc(val.slice(0, 16).filter((x) => typeof x === 'string').join(', '), valueMax);
    if (key && value !== undefined) out.push([key, value]);
  };
  if (typeof v === 'string') {
    const s = v.slice(0, 64 * 1024);
    const body = sep === '&' && s.startsWith('?') ? s.slice(1) : s;
    for (const part of body.split(sep, MAX_PAIRS)) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.indexOf('=');
      const k = eq === -1 ? p : p.slice(0, eq);
      const val = eq === -1 ? '' : p.slice(eq + 1);
      push(sep === '&' ? decode(k) : k, sep === '&' ? decode(val) : val);
    }
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length && out.length < MAX_PAIRS; i++) {
      const p = v[i];
      if (Array.isArray(p) && p.length === 2) push(p[0], p[1]);
    }
  } else if (isObj(v)) {
    for (const k in v) {
      if (out.length >= MAX_PAIRS) break;
      if (Object.hasOwn(v, k)) push(k, v[k]);
    }
  } else {
    addError(st, 'invalid_data', name, v);
  }
  return out.length ? out : undefined;
}

/** `user-agent` → `User-Agent`, as Relay stores header names. */
function headerName(k: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < k.length; i++) {
    const c = k[i];
    out += upper && c >= 'a' && c <= 'z' ? c.toUpperCase() : c;
    upper = c === '-';
  }
  return out;
}

export function normalizeRequest(st: NormState, raw: unknown): NormalizedRequest | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'request', raw);
    return undefined;
  }
  const r: NormalizedRequest = {};
  let url = str(st, raw.url, 2048, 'request.url', TRIM | PLAIN);
  let query = pairs(st, raw.query_string, 'request.query_string', '&', 1024);
  let fragment = str(st, raw.fragment, 1024, 'request.fragment');
  if (url !== undefined) {
    const h = url.indexOf('#');
    if (h !== -1) {
      fragment ??= url.slice(h + 1) || undefined;
      url = url.slice(0, h);
    }
    const q = url.indexOf('?');
    if (q !== -1 && query === undefined) {
      query = pairs(st, url.slice(q + 1), 'request.query_string', '&', 1024);
      url = url.slice(0, q);
    }
    if (url) r.url = url;
  }
  const method = raw.method;
  if (typeof method === 'string' && /^[A-Za-z_-]{1,32}$/.test(method.trim())) r.method = method.trim().toUpperCase();
  if (query) r.query_string = query;
  if (fragment) r.fragment = fragment;
  const data = raw.data;
  if (data !== undefined && data !== null && data !== '') {
    const d = typeof data === 'string' ? cleanTrunc(data, 8192) : bag(st, data, { maxDepth: 5, maxChars: 8192, maxString: 4096 }, 'request.data');
    if (d !== undefined) r.data = d;
  }
  const cookies = pairs(st, raw.cookies, 'request.cookies', ';', 1024);
  if (cookies) r.cookies = cookies;
  const headers = pairs(st, raw.headers, 'request.headers', '\n', 2048);
  if (headers) {
    r.headers = headers.map(([k, v]): [string, string] => {
      const name = headerName(k);
      return [name, FILTERED_HEADERS.has(name) ? '[Filtered]' : v];
    });
  }
  const env = bagObject(st, raw.env, { maxDepth: 2, maxChars: 4096, maxString: 1024 }, 'request.env');
  if (env) r.env = env;
  const ict = str(st, raw.inferred_content_type, 128, 'request.inferred_content_type');
  if (ict) r.inferred_content_type = ict;
  const target = str(st, raw.api_target, 64, 'request.api_target');
  if (target) r.api_target = target;
  const bodySize = uint(st, raw.body_size, 'request.body_size');
  if (bodySize !== undefined) r.body_size = bodySize;
  return Object.keys(r).length ? r : undefined;
}

export function header(req: NormalizedRequest | undefined, name: string): string | undefined {
  const h = req?.headers?.find(([k]) => k.toLowerCase() === name);
  return h?.[1];
}

// --- contexts ------------------------------------------------------------------------------

export const MAX_CONTEXTS = 64;

export function normalizeContexts(st: NormState, raw: unknown, req: NormalizedRequest | undefined, platform: string): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  if (raw !== undefined && raw !== null) {
    if (!isObj(raw)) addError(st, 'invalid_data', 'contexts', raw);
    else {
      let n = 0;
      for (const k in raw) {
        if (!Object.hasOwn(raw, k)) continue;
        if (++n > MAX_CONTEXTS) {
          addError(st, 'value_too_long', 'contexts');
          break;
        }
        const key = cleanTrunc(k, 64, false);
        const c = bagObject(st, raw[k], { maxDepth: 5, maxChars: 8192, maxString: 2048 }, `contexts.${key}`);
        if (!c) continue;
        if (typeof c.type !== 'string' || !c.type) c.type = key;
        setKey(out, key, c);
      }
    }
  }
  // Relay derives browser/os from the User-Agent header when the SDK did not send them. For
  // server platforms the header describes the client, not the server: that OS goes to
  // `client_os`, so it does not pose as the `os` of the server.
  const ua = header(req, 'user-agent');
  if (ua) {
    if (!Object.hasOwn(out, 'browser')) {
      const b = browserFromUserAgent(ua);
      if (b) out.browser = { ...b, type: 'browser' };
    }
    const osKey = platform === 'javascript' ? 'os' : 'client_os';
    if (!Object.hasOwn(out, osKey)) {
      const o = osFromUserAgent(ua);
      if (o) out[osKey] = { ...o, type: 'os' };
    }
  }
  return out;
}
