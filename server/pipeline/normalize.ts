// Event normalization: whatever an SDK sent (every legacy form of protocol §5) becomes one
// canonical, bounded, JSON-serializable NormalizedEvent with Sentry's modern snake_case keys.
// This is what Relay's store normalization does before Sentry groups an event.
//
// Contract: pure, no I/O, never throws for any JSON input, linear in the input size, and the
// output is bounded whatever the input (field limits of §2.4 plus event-wide budgets for
// frames and free-form data, see normalize-util.ts). Rejected parts are listed in `errors`.

import { randomUUID } from 'node:crypto';
import {
  levelOf, normalizeBreadcrumbs, normalizeFingerprint, normalizeModules, normalizeSdk, normalizeTags,
  type Level, type NormalizedBreadcrumb, type NormalizedSdk,
} from './normalize-attrs.ts';
import {
  normalizeContexts, normalizeRequest, normalizeUser, validIp, type NormalizedRequest, type NormalizedUser,
} from './normalize-client.ts';
import { normalizeLogEntry, type NormalizedLogEntry } from './normalize-message.ts';
import { normalizeExceptions, normalizeThreads, type NormalizedException, type NormalizedThread } from './normalize-exception.ts';
import {
  normalizeStacktrace, normalizeTemplate, platformOf, type NormalizedStacktrace, type NormalizedTemplate,
} from './normalize-stacktrace.ts';
import { isoOf, parseTimestamp } from './normalize-time.ts';
import {
  LENIENT, PLAIN, TRIM, addError, bag, bagObject, cleanTrunc, get, isObj, newState, setKey, str,
  type JsonObject, type NormState, type ProcessingError,
} from './normalize-util.ts';

export type { JsonObject, JsonValue, ProcessingError } from './normalize-util.ts';
export type { Level, NormalizedBreadcrumb, NormalizedSdk } from './normalize-attrs.ts';
export type { NormalizedRequest, NormalizedUser } from './normalize-client.ts';
export type { NormalizedLogEntry } from './normalize-message.ts';
export type { NormalizedException, NormalizedMechanism, NormalizedThread } from './normalize-exception.ts';
export type { NormalizedFrame, NormalizedStacktrace, NormalizedTemplate } from './normalize-stacktrace.ts';

export interface NormalizeContext {
  /** Server receive time. */
  receivedAt: Date;
  /** Client address, used for user.ip_address "{{auto}}"/"auto". */
  clientIp?: string | null;
  /** Envelope header event_id: wins over the payload's. */
  eventId?: string | null;
  /** Envelope header sent_at: clock-drift correction. */
  sentAt?: Date | null;
  /** Parsed `sentry_client` auth field, fallback for event.sdk. */
  sdkFromAuth?: { name: string; version: string } | null;
}

/** The canonical event. Absent optional data is `null` (top level) or omitted (nested). */
export interface NormalizedEvent {
  /** 32 lowercase hex. */
  event_id: string;
  /** Float unix seconds; the receive time when missing, invalid, far-future or too old. */
  timestamp: number;
  received: number;
  level: Level;
  platform: string;
  type: 'error' | 'default';
  logger: string | null;
  transaction: string | null;
  transaction_info: { source: string } | null;
  server_name: string | null;
  release: string | null;
  dist: string | null;
  environment: string | null;
  logentry: NormalizedLogEntry | null;
  /** Oldest → newest: the last value is the main (raised) exception. */
  exception: { values: NormalizedException[] } | null;
  threads: { values: NormalizedThread[] } | null;
  stacktrace: NormalizedStacktrace | null;
  template: NormalizedTemplate | null;
  breadcrumbs: { values: NormalizedBreadcrumb[] } | null;
  /** Unique keys, key and value ≤ 200 chars. */
  tags: [string, string][];
  extra: JsonObject;
  contexts: Record<string, JsonObject>;
  user: NormalizedUser | null;
  request: NormalizedRequest | null;
  sdk: NormalizedSdk | null;
  fingerprint: string[] | null;
  modules: Record<string, string>;
  debug_meta: JsonObject | null;
  errors: ProcessingError[];
}

/** Relay: timestamps more than 60 s ahead or 30 days behind the receive time are replaced. */
export const MAX_FUTURE_SECONDS = 60;
export const MAX_PAST_SECONDS = 30 * 24 * 3600;
/** Relay corrects client clocks (via envelope `sent_at`) only when they are off by ≥ 55 min. */
export const MIN_CLOCK_DRIFT_SECONDS = 55 * 60;

const LEGACY_ALIASES: [modern: string, legacy: string][] = [
  ['exception', 'sentry.interfaces.Exception'],
  ['user', 'sentry.interfaces.User'],
  ['request', 'sentry.interfaces.Http'],
  ['stacktrace', 'sentry.interfaces.Stacktrace'],
  ['breadcrumbs', 'sentry.interfaces.Breadcrumbs'],
  ['contexts', 'sentry.interfaces.Contexts'],
  ['template', 'sentry.interfaces.Template'],
  ['threads', 'sentry.interfaces.Threads'],
];

function eventIdOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 40) return undefined;
  const s = v.trim().replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(s) && !/^0{32}$/.test(s) ? s : undefined;
}

function seconds(d: Date | null | undefined): number | null {
  if (!(d instanceof Date)) return null;
  const t = d.getTime();
  return Number.isFinite(t) ? t / 1000 : null;
}

function pickEventId(st: NormState, raw: Record<string, unknown>, ctx: NormalizeContext): string {
  if (ctx.eventId !== undefined && ctx.eventId !== null) {
    const id = eventIdOf(ctx.eventId);
    if (id) return id;
    addError(st, 'invalid_data', 'event_id', ctx.eventId);
  }
  const payload = raw.event_id;
  if (payload !== undefined && payload !== null) {
    const id = eventIdOf(payload);
    if (id) return id;
    addError(st, 'invalid_data', 'event_id', payload);
  }
  return randomUUID().replace(/-/g, '');
}

function pickTimestamp(st: NormState, raw: Record<string, unknown>, received: number, drift: number): number {
  const v = raw.timestamp;
  if (v === undefined || v === null) return received;
  const parsed = parseTimestamp(v);
  if (parsed === null) {
    addError(st, 'invalid_data', 'timestamp', v);
    return received;
  }
  const ts = parsed + drift;
  if (ts > received + MAX_FUTURE_SECONDS) {
    addError(st, 'future_timestamp', 'timestamp', isoOf(ts));
    return received;
  }
  if (ts < received - MAX_PAST_SECONDS) {
    addError(st, 'past_timestamp', 'timestamp', isoOf(ts));
    return received;
  }
  return ts;
}

/** Release: no control characters, not `.`/`..`/`latest`; numbers from old clients are stringified. */
function releaseOf(st: NormState, v: unknown): string | null {
  const s = str(st, v, 200, 'release', LENIENT | TRIM | PLAIN);
  if (s === undefined) return null;
  if (/[\u0000-\u001f\u007f]/.test(s) || s === '.' || s === '..' || s.toLowerCase() === 'latest') {
    addError(st, 'invalid_data', 'release', s);
    return null;
  }
  return s;
}

function distOf(st: NormState, v: unknown): string | null {
  const s = str(st, v, 64, 'dist', LENIENT | TRIM | PLAIN);
  if (s === undefined) return null;
  if (!/^[a-zA-Z0-9_.-]+$/.test(s)) {
    addError(st, 'invalid_data', 'dist', s);
    return null;
  }
  return s;
}

function environmentOf(st: NormState, v: unknown): string | null {
  const s = str(st, v, 64, 'environment', TRIM | PLAIN);
  if (s === undefined) return null;
  if (/[\u0000-\u001f\u007f/]/.test(s) || s === '.' || s === '..' || s.toLowerCase() === 'none') {
    addError(st, 'invalid_data', 'environment', s);
    return null;
  }
  return s;
}

/** Relay keeps logger names ≤ 64 chars, shortening long dotted names from the front with `*`. */
function loggerOf(st: NormState, v: unknown): string | null {
  let s = str(st, v, 1024, 'logger', TRIM | PLAIN);
  if (s === undefined) return null;
  s = s.replace(/[\r\n\t]+/g, ' ');
  if (s.length > 64) s = `*${s.slice(s.length - 63)}`;
  return s;
}

export function normalizeEvent(raw: Record<string, unknown>, ctx: NormalizeContext): NormalizedEvent {
  const st = newState();
  let input: Record<string, unknown> = isObj(raw) ? raw : {};
  if (!isObj(raw)) addError(st, 'invalid_data', 'event', raw);

  // Legacy interface names map to the modern ones when the modern key is absent.
  for (const [modern, legacy] of LEGACY_ALIASES) {
    const lv = get(input, legacy);
    if (lv !== undefined && (get(input, modern) === undefined || get(input, modern) === null)) {
      if (input === raw) input = { ...raw };
      input[modern] = lv;
    }
  }

  const received = seconds(ctx?.receivedAt) ?? Date.now() / 1000;
  const sentAt = seconds(ctx?.sentAt);
  let drift = 0;
  if (sentAt !== null && Math.abs(received - sentAt) >= MIN_CLOCK_DRIFT_SECONDS) {
    drift = received - sentAt;
    addError(st, 'clock_drift', 'timestamp', isoOf(sentAt));
  }

  const platform = platformOf(input.platform) ?? 'other';
  const rawLevel = input.level;
  let level = levelOf(rawLevel);
  if (level === undefined) {
    if (rawLevel !== undefined && rawLevel !== null) addError(st, 'invalid_data', 'level', rawLevel);
    level = 'error';
  }

  const exceptions = normalizeExceptions(st, input.exception);
  const threads = normalizeThreads(st, input.threads);
  const stacktrace = normalizeStacktrace(st, input.stacktrace, 'stacktrace') ?? null;
  const request = normalizeRequest(st, input.request);
  const { tags, environment: envTag } = normalizeTags(st, input.tags);
  const breadcrumbs = normalizeBreadcrumbs(st, input.breadcrumbs, drift);

  const clientIp = validIp(ctx?.clientIp) ?? undefined;
  // Relay: request.env.REMOTE_ADDR "{{auto}}" is the client; a known REMOTE_ADDR fills a missing user IP.
  const remote = request?.env?.REMOTE_ADDR;
  if (request?.env && (remote === '{{auto}}' || remote === 'auto')) {
    if (clientIp) request.env.REMOTE_ADDR = clientIp;
    else delete request.env.REMOTE_ADDR;
  }
  let user = normalizeUser(st, input.user, clientIp) ?? null;
  if (!user?.ip_address) {
    const fill = validIp(request?.env?.REMOTE_ADDR) ??
      (platform === 'javascript' || platform === 'cocoa' || platform === 'objc' ? clientIp : undefined);
    if (fill) user = { ...(user ?? {}), ip_address: fill };
  }

  const txSource = input.transaction_info;
  const source = isObj(txSource) ? str(st, txSource.source, 32, 'transaction_info.source', TRIM) : undefined;
  const extra = normalizeExtra(st, input.extra);
  const contexts = normalizeContexts(st, input.contexts, request, platform);
  const debugMeta = bagObject(st, input.debug_meta, { maxDepth: 5, maxChars: 64 * 1024, maxString: 1024 }, 'debug_meta') ?? null;

  const event: NormalizedEvent = {
    event_id: pickEventId(st, input, ctx ?? ({} as NormalizeContext)),
    timestamp: pickTimestamp(st, input, received, drift),
    received,
    level,
    platform,
    type: exceptions.length ? 'error' : 'default',
    logger: loggerOf(st, input.logger),
    transaction: str(st, input.transaction, 200, 'transaction', TRIM) ?? null,
    transaction_info: source ? { source } : null,
    server_name: str(st, input.server_name, 256, 'server_name', TRIM | LENIENT) ?? null,
    release: releaseOf(st, input.release),
    dist: distOf(st, input.dist),
    environment: environmentOf(st, input.environment ?? envTag),
    logentry: normalizeLogEntry(st, input),
    exception: exceptions.length ? { values: exceptions } : null,
    threads: threads.length ? { values: threads } : null,
    stacktrace,
    template: normalizeTemplate(st, input.template) ?? null,
    breadcrumbs: breadcrumbs.length ? { values: breadcrumbs } : null,
    tags,
    extra,
    contexts,
    user,
    request: request ?? null,
    sdk: normalizeSdk(st, input.sdk, ctx?.sdkFromAuth) ?? null,
    fingerprint: normalizeFingerprint(st, input.fingerprint),
    modules: normalizeModules(st, input.modules),
    debug_meta: debugMeta,
    errors: st.errors,
  };
  keepClientErrors(st, input.errors);
  return event;
}

/** §2.4: each extra item ≤ 16 KiB, all of them ≤ 256 KiB, depth ≤ 7 (counting `extra` itself). */
function normalizeExtra(st: NormState, raw: unknown): JsonObject {
  const out: JsonObject = {};
  if (raw === undefined || raw === null) return out;
  if (!isObj(raw)) {
    addError(st, 'invalid_data', 'extra', raw);
    return out;
  }
  let left = 256 * 1024;
  let n = 0;
  for (const k in raw) {
    if (!Object.hasOwn(raw, k)) continue;
    if (left <= 0 || ++n > 500) {
      addError(st, 'value_too_long', 'extra');
      break;
    }
    const before = st.bagBudget;
    const v = bag(st, raw[k], { maxDepth: 6, maxChars: Math.min(16 * 1024, left), maxString: 16 * 1024 }, `extra.${k.slice(0, 64)}`);
    left -= before - st.bagBudget + k.length;
    if (v !== undefined) setKey(out, cleanTrunc(k, 256, false), v);
  }
  return out;
}

/** Processing errors an upstream Relay/SDK already recorded are kept (bounded), after ours. */
function keepClientErrors(st: NormState, v: unknown): void {
  if (!Array.isArray(v)) return;
  for (let i = 0; i < v.length && i < 20; i++) {
    const e = v[i];
    if (!isObj(e)) continue;
    const type = e.type;
    if (typeof type !== 'string' || !type) continue;
    const name = e.name;
    addError(st, type.slice(0, 64), typeof name === 'string' ? name.slice(0, 128) : undefined, e.value);
  }
}
