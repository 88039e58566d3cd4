// Small helpers shared by every part of the SDK. Nothing here throws.

export const SDK_VERSION = '0.1.0';

/** Seconds since the epoch, with milliseconds (the protocol's float timestamps). */
export const nowSeconds = (): number => Date.now() / 1000;

/** 32 lowercase hex characters (a UUID v4 without dashes), as event and trace ids are. */
export function uuid(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && c.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = (Math.random() * 256) | 0;
  bytes[6] = (bytes[6] & 15) | 64;
  bytes[8] = (bytes[8] & 63) | 128;
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

export function isError(x: unknown): x is Error {
  if (x instanceof Error) return true;
  const tag = Object.prototype.toString.call(x);
  return tag === '[object Error]' || tag === '[object DOMException]' || tag === '[object Exception]';
}

/**
 * A copy of `value` that JSON.stringify can always write: cycles, functions, symbols, bigints and
 * errors become strings, depth and breadth are capped. User data goes through this before it is
 * queued, so a strange value can never make a send throw.
 */
export function normalize(value: unknown, depth = 6, seen: unknown[] = []): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return undefined;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return String(value);
  if (seen.includes(value)) return '[Circular ~]';
  const n = seen.length;
  try {
    if (typeof value === 'function') return `[Function: ${value.name || '<anonymous>'}]`;
    if (isError(value)) return `${value.name}: ${value.message}`;
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function') return normalize(toJSON.call(value), depth - 1, seen);
    if (depth <= 0) return Array.isArray(value) ? '[Array]' : '[Object]';
    seen.push(value);
    if (Array.isArray(value)) return value.slice(0, 100).map((v) => normalize(v, depth - 1, seen) ?? null);
    const o: Record<string, unknown> = {};
    let count = 0;
    for (const k in value as object) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      if (count++ >= 100) {
        o['...'] = '[MaxProperties ~]';
        break;
      }
      const v = normalize((value as Record<string, unknown>)[k], depth - 1, seen);
      if (v !== undefined) o[k] = v;
    }
    return o;
  } catch {
    return '[unserializable]';
  } finally {
    seen.length = n;
  }
}

/** Runs `fn`, swallowing anything it throws (the SDK never throws into the host app). */
export function safe<T>(fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Calls `console[level]` as it was before the SDK wrapped it (debug output must not become breadcrumbs). */
export const originalConsole: Record<string, (...args: unknown[]) => void> = {};
if (typeof console !== 'undefined') for (const k of ['debug', 'info', 'warn', 'error', 'log']) originalConsole[k] = (console as unknown as Record<string, (...a: unknown[]) => void>)[k];
