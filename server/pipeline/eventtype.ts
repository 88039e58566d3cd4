// Issue presentation, protocol §7.1–7.2 and §5.5: title, culprit, metadata, and the tags an
// event is searchable by (Sentry `eventtypes/error.py`, `eventtypes/base.py`, `culprit.py`).

import { crashFrame } from './grouping/fingerprint.ts';
import { frameModule } from './grouping/js-module.ts';
import type { NormalizedEvent, NormalizedException, NormalizedFrame } from './normalize.ts';

export interface EventDisplay {
  type: 'error' | 'default';
  title: string;
  culprit: string;
  metadata: { type?: string; value?: string; filename?: string; function?: string; title?: string };
  location?: string | null;
  message: string;
}

const MAX_CULPRIT = 200;
const MAX_TITLE_VALUE = 100;
const MAX_TAG_VALUE = 200;

/** Sentry `truncatechars`: at most `max` chars including the "...". */
function truncateChars(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 3))}...` : s;
}

function firstLine(s: string): string {
  const m = /[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]/.exec(s);
  return m ? s.slice(0, m.index) : s;
}

// Wrapper exceptions whose wrapped (previous) exception names the issue better (§6.3).
const WRAPPER_TYPES = new Set([
  'io.reactivex.exceptions.OnErrorNotImplementedException',
  'io.reactivex.exceptions.CompositeException',
  'io.reactivex.exceptions.UndeliverableException',
  'io.reactivex.rxjava3.exceptions.OnErrorNotImplementedException',
  'io.reactivex.rxjava3.exceptions.CompositeException',
  'io.reactivex.rxjava3.exceptions.UndeliverableException',
  'OnErrorNotImplementedException',
  'CompositeException',
  'UndeliverableException',
]);
const REACT_WRAPPER_VALUES = [
  'There was an error during concurrent rendering',
  'There was an error while hydrating',
];

/** The exception the title is about: the last one, unless it is a known wrapper around the previous one. */
export function mainException(values: readonly NormalizedException[]): NormalizedException | undefined {
  const last = values[values.length - 1];
  if (!last || values.length < 2) return last;
  const wrapper = (last.type && WRAPPER_TYPES.has(last.type)) ||
    (last.value !== undefined && REACT_WRAPPER_VALUES.some((v) => last.value!.startsWith(v)));
  return wrapper ? values[values.length - 2] : last;
}

function hasFunction(f: NormalizedFrame): boolean {
  return f.function !== undefined && f.function !== '<redacted>' && f.function !== '<unknown>';
}

function frameCulprit(frame: NormalizedFrame, eventPlatform: string): string {
  const platform = frame.platform ?? eventPlatform;
  if (platform === 'objc' || platform === 'cocoa' || platform === 'native') return frame.function || '?';
  const location = frameModule(frame, eventPlatform)?.module || frame.filename;
  if (!location) return '';
  if (platform === 'javascript' || platform === 'node') return `${frame.function || '?'}(${location})`;
  return `${location} in ${frame.function || '?'}`;
}

/** §7.2 legacy culprit: the first in-app frame from the crash site up, else the crashing frame. */
function stackCulprit(frames: readonly NormalizedFrame[], platform: string): string {
  let fallback: string | null = null;
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i];
    if (f.in_app) {
      const c = frameCulprit(f, platform);
      if (c) return c;
    } else if (fallback === null) {
      fallback = frameCulprit(f, platform);
    }
  }
  return fallback ?? '';
}

function culpritOf(event: NormalizedEvent): string {
  if (event.transaction) return truncateChars(event.transaction, MAX_CULPRIT);
  let culprit = '';
  const exceptions = event.exception?.values;
  if (exceptions?.length) {
    if (exceptions[exceptions.length - 1].mechanism?.synthetic) return '';
    for (let i = exceptions.length - 1; i >= 0 && !culprit; i--) {
      const frames = exceptions[i].stacktrace?.frames;
      if (frames?.length) {
        culprit = stackCulprit(frames, event.platform);
        break;
      }
    }
  } else if (event.stacktrace?.frames.length) {
    culprit = stackCulprit(event.stacktrace.frames, event.platform);
  }
  if (!culprit && event.request?.url) culprit = event.request.url;
  return truncateChars(culprit, MAX_CULPRIT);
}

export function eventDisplay(event: NormalizedEvent): EventDisplay {
  const culprit = culpritOf(event);
  const logMessage = event.logentry?.formatted || event.logentry?.message || '';
  const exceptions = event.exception?.values;
  const main = exceptions?.length ? mainException(exceptions) : undefined;

  if (main) {
    const metadata: EventDisplay['metadata'] = { value: truncateChars(main.value ?? '', 1024) };
    if (!main.mechanism?.synthetic) metadata.type = truncateChars(main.type ?? 'Error', 128);
    const frame = crashFrame(event, hasFunction);
    if (frame) {
      const filename = frame.filename || frame.abs_path;
      if (filename) metadata.filename = filename;
      if (frame.function) metadata.function = frame.function;
    }
    // Sentry: type[: first line of value]; without a type (synthetic exceptions, e.g. a
    // captureMessage with a stack trace), the crash function, else "<unknown>". We put the
    // value's first line before the function: it is what the user wrote.
    let title: string;
    const valueLine = metadata.value ? truncateChars(firstLine(metadata.value), MAX_TITLE_VALUE) : '';
    if (metadata.type !== undefined) title = valueLine ? `${metadata.type}: ${valueLine}` : metadata.type;
    else title = valueLine || metadata.function || '<unknown>';
    const message = logMessage || (main.type && main.value ? `${main.type}: ${main.value}` : main.value || main.type || '');
    return { type: 'error', title, culprit, metadata, location: metadata.filename ?? null, message };
  }

  const text = logMessage.trim();
  const title = text ? truncateChars(firstLine(text), MAX_TITLE_VALUE) : '<unlabeled event>';
  return { type: 'default', title, culprit, metadata: { title }, location: null, message: logMessage };
}

/** Distinct-user identity like Sentry's EventUser tag: `id:` ‖ `email:` ‖ `username:` ‖ `ip:`. */
export function userKey(event: NormalizedEvent): string | null {
  const u = event.user;
  if (!u) return null;
  const key = u.id ? `id:${u.id}` : u.email ? `email:${u.email}` : u.username ? `username:${u.username}` : u.ip_address ? `ip:${u.ip_address}` : null;
  return key === null ? null : tagValue(key);
}

const TAG_NEEDS_CLEANING = /[\r\n\t]|^\s|\s$/;

/** One line, trimmed, ≤ 200 chars (values are usually clean already: one regex test). */
function tagValue(v: string): string {
  const s = TAG_NEEDS_CLEANING.test(v) ? v.replace(/[\r\n\t]+/g, ' ').trim() : v;
  return s.length > MAX_TAG_VALUE ? s.slice(0, MAX_TAG_VALUE) : s;
}

/** The context under its default key (Sentry derives `os.name` etc. from `contexts.os`, not `client_os`). */
function context(event: NormalizedEvent, key: string): Record<string, unknown> | null {
  const c = Object.hasOwn(event.contexts, key) ? event.contexts[key] : undefined;
  return c && typeof c === 'object' ? c : null;
}

function nameVersion(c: Record<string, unknown> | null): [name: string | null, full: string | null] {
  if (!c) return [null, null];
  const name = typeof c.name === 'string' ? c.name.trim() : '';
  if (!name) return [null, null];
  const v = c.version;
  const version = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  return [name, version ? `${name} ${version}` : name];
}

/**
 * The event's own tags plus the derived ones (which win on a key clash, like Sentry's
 * `set_tag`). Keys are unique; empty values are left out; values are ≤ 200 chars.
 */
export function eventTags(event: NormalizedEvent): [string, string][] {
  const derived: [string, string][] = [];
  const add = (k: string, v: string | null | undefined) => {
    if (v === null || v === undefined || v === '') return;
    const value = tagValue(v);
    if (value) derived.push([k, value]);
  };
  add('level', event.level);
  add('environment', event.environment);
  add('release', event.release);
  add('dist', event.dist);
  add('server_name', event.server_name);
  add('logger', event.logger);
  add('transaction', event.transaction);
  add('url', event.request?.url);
  const [osName, os] = nameVersion(context(event, 'os'));
  add('os', os);
  add('os.name', osName);
  const [browserName, browser] = nameVersion(context(event, 'browser'));
  add('browser', browser);
  add('browser.name', browserName);
  const [runtimeName, runtime] = nameVersion(context(event, 'runtime'));
  add('runtime', runtime);
  add('runtime.name', runtimeName);
  const device = context(event, 'device');
  if (device) {
    if (typeof device.model === 'string') add('device', device.model);
    if (typeof device.family === 'string') add('device.family', device.family);
  }
  const trace = context(event, 'trace');
  if (trace && typeof trace.trace_id === 'string') add('trace', trace.trace_id);
  const exceptions = event.exception?.values;
  if (exceptions) {
    let handled: string | null = null;
    for (const e of exceptions) {
      const h = e.mechanism?.handled;
      if (h === false) {
        handled = 'no';
        break;
      }
      if (h === true) handled = 'yes';
    }
    add('handled', handled);
    add('mechanism', exceptions[exceptions.length - 1].mechanism?.type);
  }
  add('user', userKey(event));

  // The event's own tags were cleaned and bounded by normalizeEvent.
  const own = event.tags;
  if (!own.length) return derived;
  const taken = new Set<string>();
  for (const [k] of derived) taken.add(k);
  const out: [string, string][] = [];
  for (const t of own) if (!taken.has(t[0])) out.push(t);
  for (const t of derived) out.push(t);
  return out;
}
