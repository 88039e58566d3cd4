// Exceptions, threads, stack traces and frames (protocol §5.2–5.4), following Relay's
// `normalize_stack_frame` for the filename/abs_path defaults.

import {
  LENIENT, TRIM, addError, bagObject, bool, get, isObj, str, stringifyBounded, uint, valuesOf,
  type JsonObject, type NormState,
} from './normalize-util.ts';

export interface NormalizedFrame {
  function?: string;
  raw_function?: string;
  symbol?: string;
  module?: string;
  package?: string;
  filename?: string;
  abs_path?: string;
  lineno?: number;
  colno?: number;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
  /** Missing in the payload → false (Sentry treats unset as not in-app). */
  in_app: boolean;
  platform?: string;
  vars?: JsonObject;
  data?: JsonObject;
  instruction_addr?: string;
  symbol_addr?: string;
  image_addr?: string;
  addr_mode?: string;
  trust?: string;
  stack_start?: boolean;
  source_link?: string;
}

export interface NormalizedStacktrace {
  /** Oldest (caller) first, crashing frame last. */
  frames: NormalizedFrame[];
  /** `[start, end)` indices of frames removed from the middle of an over-long trace. */
  frames_omitted?: [number, number];
  registers?: Record<string, string>;
}

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

/** Frames kept per stack trace; longer traces lose frames from the middle (§2.4). */
export const MAX_FRAMES = 250;
export const MAX_EXCEPTIONS = 25;
export const MAX_THREADS = 64;
const CONTEXT_LINES = 5;

const KNOWN_PLATFORMS = new Set([
  'as3', 'c', 'cfml', 'cocoa', 'csharp', 'dart', 'elixir', 'go', 'groovy', 'haskell', 'java',
  'javascript', 'kotlin', 'native', 'node', 'objc', 'other', 'perl', 'php', 'python', 'ruby',
  'rust', 'swift',
]);

/** Relay keeps only known platform names; anything else becomes `other` (frames: dropped). */
export function platformOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 32) return undefined;
  const p = v.trim().toLowerCase();
  return KNOWN_PLATFORMS.has(p) ? p : undefined;
}

function isUrl(s: string): boolean {
  return s.startsWith('http:') || s.startsWith('https:') || s.startsWith('file:') || s.startsWith('applewebdata:');
}

/** `/static/app.js` of `https://x.com/static/app.js?v=1`; the input when it has no path. */
function urlPath(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const slash = url.indexOf('/', scheme + 3);
  if (slash === -1) return url;
  let end = url.length;
  const q = url.indexOf('?', slash);
  if (q !== -1) end = q;
  const h = url.indexOf('#', slash);
  if (h !== -1 && h < end) end = h;
  const path = url.slice(slash, end);
  return path === '' || path === '/' ? url : path;
}

function addr(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return `0x${v.toString(16)}`;
  if (typeof v === 'string' && v.length <= 40) {
    const s = v.trim().toLowerCase();
    if (/^0x[0-9a-f]{1,32}$/.test(s)) return s;
    if (/^\d{1,20}$/.test(s)) return `0x${BigInt(s).toString(16)}`;
  }
  return undefined;
}

function lines(st: NormState, v: unknown, name: string, fromEnd: boolean): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    addError(st, 'invalid_data', name, v);
    return undefined;
  }
  const start = fromEnd ? Math.max(0, v.length - CONTEXT_LINES) : 0;
  const end = Math.min(v.length, start + CONTEXT_LINES);
  const out: string[] = [];
  for (let i = start; i < end; i++) out.push(str(st, v[i], 256, name, LENIENT) ?? '');
  return out.length ? out : undefined;
}

export function normalizeFrame(st: NormState, raw: unknown): NormalizedFrame | null {
  if (!isObj(raw)) {
    if (raw !== null && raw !== undefined) addError(st, 'invalid_data', 'frame', raw);
    return null;
  }
  const f: NormalizedFrame = { in_app: raw.in_app === true };
  let fn = str(st, raw.function, 256, 'frame.function', TRIM);
  if (fn === '?') fn = undefined; // Relay drops the "unknown" marker
  if (fn !== undefined) f.function = fn;
  const rawFn = str(st, raw.raw_function, 256, 'frame.raw_function', TRIM);
  if (rawFn !== undefined && rawFn !== '?') f.raw_function = rawFn;
  const sym = str(st, raw.symbol, 256, 'frame.symbol', TRIM);
  if (sym !== undefined && sym !== '?') f.symbol = sym;
  const mod = str(st, raw.module, 256, 'frame.module', TRIM);
  if (mod !== undefined) f.module = mod;
  const pkg = str(st, raw.package, 512, 'frame.package', TRIM);
  if (pkg !== undefined) f.package = pkg;

  let filename = str(st, raw.filename, 512, 'frame.filename', TRIM);
  let absPath = str(st, raw.abs_path, 512, 'frame.abs_path', TRIM);
  // Relay: abs_path defaults to filename; filename defaults to abs_path (its URL path).
  if (absPath === undefined) absPath = filename;
  if (filename === undefined && absPath !== undefined) filename = isUrl(absPath) ? urlPath(absPath) : absPath;
  if (filename !== undefined) f.filename = filename;
  if (absPath !== undefined) f.abs_path = absPath;

  const lineno = uint(st, raw.lineno, 'frame.lineno');
  if (lineno !== undefined) f.lineno = lineno;
  const colno = uint(st, raw.colno, 'frame.colno');
  if (colno !== undefined) f.colno = colno;

  // 512 keeps the "> 120 chars: does not group" property of long (minified) lines.
  const ctx = str(st, raw.context_line, 512, 'frame.context_line', LENIENT);
  if (ctx !== undefined) f.context_line = ctx;
  const pre = lines(st, raw.pre_context, 'frame.pre_context', true);
  if (pre) f.pre_context = pre;
  const post = lines(st, raw.post_context, 'frame.post_context', false);
  if (post) f.post_context = post;

  const platform = platformOf(raw.platform);
  if (platform) f.platform = platform;
  const vars = bagObject(st, raw.vars, { maxDepth: 4, maxChars: 2048, maxString: 512 }, 'frame.vars');
  if (vars) f.vars = vars;
  const data = bagObject(st, raw.data, { maxDepth: 3, maxChars: 1024, maxString: 512 }, 'frame.data');
  if (data) f.data = data;

  const ia = addr(raw.instruction_addr);
  if (ia) f.instruction_addr = ia;
  const sa = addr(raw.symbol_addr);
  if (sa) f.symbol_addr = sa;
  const im = addr(raw.image_addr);
  if (im) f.image_addr = im;
  const mode = str(st, raw.addr_mode, 32, 'frame.addr_mode');
  if (mode) f.addr_mode = mode;
  const trust = str(st, raw.trust, 32, 'frame.trust');
  if (trust) f.trust = trust;
  if (raw.stack_start === true) f.stack_start = true;
  const link = str(st, raw.source_link, 512, 'frame.source_link');
  if (link) f.source_link = link;

  // A frame that names no code location at all is noise.
  if (
    f.function === undefined && f.raw_function === undefined && f.symbol === undefined &&
    f.module === undefined && f.filename === undefined && f.package === undefined &&
    f.instruction_addr === undefined && f.lineno === undefined
  ) {
    return null;
  }
  return f;
}

export function normalizeStacktrace(st: NormState, raw: unknown, name: string): NormalizedStacktrace | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', name, raw);
    return undefined;
  }
  const frames = raw.frames;
  if (!Array.isArray(frames)) {
    if (frames !== undefined && frames !== null) addError(st, 'invalid_data', `${name}.frames`, frames);
    return undefined;
  }
  const n = frames.length;
  const limit = Math.min(MAX_FRAMES, st.frameBudget);
  const out: NormalizedStacktrace = { frames: [] };
  // Trim from the middle: the entry point and the crash site are what matter.
  let head = n, tailStart = n;
  if (n > limit) {
    head = Math.floor(limit / 2);
    tailStart = n - (limit - head);
    out.frames_omitted = [head, tailStart];
  }
  for (let i = 0; i < n; i++) {
    if (i === head) i = tailStart;
    if (i >= n) break;
    const f = normalizeFrame(st, frames[i]);
    if (f) out.frames.push(f);
  }
  st.frameBudget -= out.frames.length;
  if (!out.frames.length) return undefined;
  // Keep the marker of an earlier trim (re-normalizing a stored event).
  const omitted = raw.frames_omitted;
  if (!out.frames_omitted && Array.isArray(omitted) && omitted.length === 2 && omitted.every((x) => Number.isSafeInteger(x) && x >= 0) && omitted[0] <= omitted[1]) {
    out.frames_omitted = [omitted[0], omitted[1]];
  }
  const regs = raw.registers;
  if (isObj(regs)) {
    const r: Record<string, string> = {};
    let count = 0;
    for (const k in regs) {
      if (count++ >= 64) break;
      const a = addr(regs[k]);
      if (a && k.length <= 32) r[k] = a;
    }
    if (Object.keys(r).length) out.registers = r;
  }
  return out;
}

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

/** Legacy `sentry.interfaces.Template` (Django templates): a single source location. */
export interface NormalizedTemplate {
  filename?: string;
  abs_path?: string;
  lineno?: number;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
}

export function normalizeTemplate(st: NormState, raw: unknown): NormalizedTemplate | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'template', raw);
    return undefined;
  }
  const t: NormalizedTemplate = {};
  const filename = str(st, raw.filename, 512, 'template.filename');
  if (filename) t.filename = filename;
  const abs = str(st, raw.abs_path, 512, 'template.abs_path');
  if (abs) t.abs_path = abs;
  const lineno = uint(st, raw.lineno, 'template.lineno');
  if (lineno !== undefined) t.lineno = lineno;
  const ctx = str(st, raw.context_line, 512, 'template.context_line');
  if (ctx !== undefined) t.context_line = ctx;
  const pre = lines(st, raw.pre_context, 'template.pre_context', true);
  if (pre) t.pre_context = pre;
  const post = lines(st, raw.post_context, 'template.post_context', false);
  if (post) t.post_context = post;
  return t.filename || t.context_line ? t : undefined;
}
