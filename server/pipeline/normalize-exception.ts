// Exceptions with their mechanisms, and threads (protocol §5.2, §5.4): each with its stack trace
// (normalize-stacktrace.ts); the exceptions and threads that matter most get the frame budget first.

import { normalizeStacktrace, type NormalizedStacktrace } from './normalize-stacktrace.ts';
import {
  LENIENT, TRIM, addError, bagObject, bool, get, isObj, str, stringifyBounded, uint, valuesOf,
  type JsonObject, type NormState,
} from './normalize-util.ts';

export interface NormalizedMechanism {
  type: string;
  handled?: boolean;
  synthetic?: boolean;
  description?: string;
  help_link?: string;
  data?: JsonObject;
  meta?: JsonObject;
  exception_id?: number;
  parent_id?: number;
  is_exception_group?: boolean;
  source?: string;
}

export interface NormalizedException {
  type?: string;
  value?: string;
  module?: string;
  thread_id?: number | string;
  mechanism?: NormalizedMechanism;
  stacktrace?: NormalizedStacktrace;
}

export interface NormalizedThread {
  id?: number | string;
  name?: string;
  crashed?: boolean;
  current?: boolean;
  main?: boolean;
  state?: string;
  stacktrace?: NormalizedStacktrace;
}

export const MAX_EXCEPTIONS = 25;
export const MAX_THREADS = 64;

function normalizeMechanism(st: NormState, raw: unknown): NormalizedMechanism | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'exception.mechanism', raw);
    return undefined;
  }
  const m: NormalizedMechanism = { type: str(st, raw.type, 128, 'mechanism.type', TRIM) ?? 'generic' };
  const handled = bool(st, raw.handled, 'mechanism.handled');
  if (handled !== undefined) m.handled = handled;
  if (raw.synthetic === true) m.synthetic = true;
  const desc = str(st, raw.description, 1024, 'mechanism.description');
  if (desc) m.description = desc;
  const help = str(st, raw.help_link, 512, 'mechanism.help_link');
  if (help) m.help_link = help;
  const data = bagObject(st, raw.data, { maxDepth: 4, maxChars: 2048 }, 'mechanism.data');
  if (data) m.data = data;
  const meta = bagObject(st, raw.meta, { maxDepth: 4, maxChars: 2048 }, 'mechanism.meta');
  if (meta) m.meta = meta;
  const id = uint(st, raw.exception_id, 'mechanism.exception_id');
  if (id !== undefined) m.exception_id = id;
  const parent = uint(st, raw.parent_id, 'mechanism.parent_id');
  if (parent !== undefined) m.parent_id = parent;
  if (raw.is_exception_group === true) m.is_exception_group = true;
  const source = str(st, raw.source, 128, 'mechanism.source');
  if (source) m.source = source;
  return m;
}

// Relay: an exception without a type whose single-line value reads "Type: message" is split.
const TYPE_VALUE = /^(\w{1,128}):([^\n]*)$/;

function normalizeException(st: NormState, raw: unknown): NormalizedException | null {
  if (!isObj(raw)) {
    if (raw !== null && raw !== undefined) addError(st, 'invalid_data', 'exception', raw);
    return null;
  }
  const e: NormalizedException = {};
  let type = str(st, raw.type, 256, 'exception.type', TRIM | LENIENT);
  const rawValue = raw.value;
  let value: string | undefined;
  if (typeof rawValue === 'string') value = str(st, rawValue, 8192, 'exception.value');
  else if (rawValue !== undefined && rawValue !== null) value = stringifyBounded(rawValue, 8192) || undefined;
  if (type === undefined && value !== undefined && value.length <= 8192) {
    const m = TYPE_VALUE.exec(value);
    if (m) {
      type = m[1];
      value = m[2].trim() || undefined;
    }
  }
  if (type !== undefined) e.type = type;
  if (value !== undefined) e.value = value;
  const mod = str(st, raw.module, 256, 'exception.module', TRIM);
  if (mod) e.module = mod;
  const tid = raw.thread_id;
  if (typeof tid === 'number' && Number.isSafeInteger(tid)) e.thread_id = tid;
  else if (typeof tid === 'string' && tid.length <= 64) e.thread_id = str(st, tid, 64, 'exception.thread_id');
  const mech = normalizeMechanism(st, raw.mechanism);
  if (mech) e.mechanism = mech;
  const stack = normalizeStacktrace(st, raw.stacktrace, 'exception.stacktrace');
  if (stack) e.stacktrace = stack;
  if (e.type === undefined && e.value === undefined) {
    addError(st, 'invalid_data', 'exception', 'exception without type and value');
    return null;
  }
  return e;
}

/**
 * `exception` as `{values}`, bare array, or a single legacy exception object. Keeps the
 * newest MAX_EXCEPTIONS (the last is the main one), normalizing newest-first so that the
 * frame budget goes to the exceptions that matter.
 */
export function normalizeExceptions(st: NormState, raw: unknown): NormalizedException[] {
  const values = valuesOf(st, raw, 'exception', true);
  if (!values || !values.length) return [];
  const start = Math.max(0, values.length - MAX_EXCEPTIONS);
  if (start > 0) addError(st, 'value_too_long', 'exception.values', values.length);
  const out: NormalizedException[] = [];
  for (let i = values.length - 1; i >= start; i--) {
    const e = normalizeException(st, values[i]);
    if (e) out.push(e);
  }
  return out.reverse();
}

function normalizeThread(st: NormState, raw: Record<string, unknown>): NormalizedThread {
  const t: NormalizedThread = {};
  const id = raw.id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) t.id = id;
  else if (typeof id === 'string') t.id = str(st, id, 64, 'thread.id');
  const name = str(st, raw.name, 256, 'thread.name');
  if (name) t.name = name;
  for (const k of ['crashed', 'current', 'main'] as const) {
    const b = bool(st, get(raw, k), `thread.${k}`);
    if (b !== undefined) t[k] = b;
  }
  const state = str(st, raw.state, 64, 'thread.state');
  if (state) t.state = state;
  const stack = normalizeStacktrace(st, raw.stacktrace, 'thread.stacktrace');
  if (stack) t.stacktrace = stack;
  return t;
}

/** Threads; crashed/current ones are normalized first so they get the frame budget. */
export function normalizeThreads(st: NormState, raw: unknown): NormalizedThread[] {
  const values = valuesOf(st, raw, 'threads');
  if (!values || !values.length) return [];
  const n = Math.min(values.length, MAX_THREADS);
  if (n < values.length) addError(st, 'value_too_long', 'threads.values', values.length);
  const out: (NormalizedThread | null)[] = new Array(n).fill(null);
  const important = (v: unknown) => isObj(v) && (v.crashed === true || v.current === true);
  for (const pass of [true, false]) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!isObj(v)) continue;
      if (important(v) !== pass) continue;
      out[i] = normalizeThread(st, v);
    }
  }
  return out.filter((t): t is NormalizedThread => t !== null);
}
