// Stack traces and frames (protocol §5.3), following Relay's `normalize_stack_frame` for the
// filename/abs_path defaults, and the legacy template interface (a single source location).

import {
  LENIENT, TRIM, addError, bagObject, isObj, str, uint,
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

/** Frames kept per stack trace; longer traces lose frames from the middle (§2.4). */
export const MAX_FRAMES = 250;
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
