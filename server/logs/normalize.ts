// Log records (protocol doc §3.4): every source (Sentry `log` items, `otel_log` items, OTLP/HTTP, our
// minimal JSON) becomes Sentry's log item shape at the edge (server/ingest/logs.ts); the digest turns
// those into stored records here. Every byte is attacker-controlled: bounded sizes, never throws.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export type AttributeType = 'string' | 'boolean' | 'integer' | 'double' | 'string[]' | 'boolean[]' | 'integer[]' | 'double[]';
export interface Attribute {
  type: AttributeType;
  value: unknown;
  unit?: string;
}

/** Sentry's log item (what SDKs send in a `log` container). */
export interface LogItemInput {
  timestamp?: unknown;
  observed_timestamp?: unknown;
  trace_id?: unknown;
  span_id?: unknown;
  level?: unknown;
  severity_number?: unknown;
  body?: unknown;
  attributes?: unknown;
}

export interface LogRecord {
  timestamp: Date;
  observed: Date | null;
  level: LogLevel;
  severityNumber: number;
  body: string;
  traceId: string | null;
  spanId: string | null;
  release: string | null;
  environment: string | null;
  service: string | null;
  /** `sentry.message.template`, when the SDK sent one (grouping by template). */
  template: string | null;
  attributes: Record<string, Attribute>;
}

export const MAX_BODY = 16 * 1024;
const MAX_ATTRIBUTES = 100;
const MAX_KEY = 200;
const MAX_STRING = 4096;
const MAX_ARRAY = 100;
const MAX_FUTURE_MS = 60_000;

/** OTel severity number ranges: trace 1-4, debug 5-8, info 9-12, warn 13-16, error 17-20, fatal 21-24. */
export function levelFromSeverity(n: number): LogLevel {
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  return 'fatal';
}

const LEVEL_ALIASES: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  log: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  fatal: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
};
const DEFAULT_SEVERITY: Record<LogLevel, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

export function parseLevel(v: unknown): LogLevel | null {
  if (typeof v !== 'string') return null;
  return LEVEL_ALIASES[v.trim().toLowerCase()] ?? null;
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
/** Postgres text holds no NUL. */
const clean = (s: string, max: number) => clip(s, max).replace(/\0/g, '\uFFFD');

function toDate(v: unknown): Date | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Seconds (Sentry), milliseconds or nanoseconds (OTel) by magnitude.
    const ms = v > 1e17 ? v / 1e6 : v > 1e12 ? v : v * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (typeof v === 'string' && v.length < 64) {
    if (/^\d+(\.\d+)?$/.test(v)) return toDate(Number(v));
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

function hexId(v: unknown, len: number): string | null {
  if (typeof v !== 'string') return null;
  const s = v.replace(/-/g, '').toLowerCase();
  return s.length === len && /^[0-9a-f]+$/.test(s) && !/^0+$/.test(s) ? s : null;
}

function attrValue(type: AttributeType, value: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? clean(value, MAX_STRING) : value === undefined || value === null ? null : clean(String(value), MAX_STRING);
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;
    case 'integer': {
      const n = typeof value === 'string' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
    }
    case 'double': {
      const n = typeof value === 'string' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : null;
    }
    default: {
      if (!Array.isArray(value)) return null;
      const inner = type.slice(0, -2) as AttributeType;
      return value.slice(0, MAX_ARRAY).map((x) => attrValue(inner, x));
    }
  }
}

function inferType(value: unknown): AttributeType | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (Array.isArray(value)) {
    const t = value.length > 0 ? inferType(value[0]) : 'string';
    return t && !t.endsWith('[]') ? (`${t}[]` as AttributeType) : null;
  }
  return null;
}

const TYPES = new Set<string>(['string', 'boolean', 'integer', 'double', 'string[]', 'boolean[]', 'integer[]', 'double[]']);

/** Attributes as {key: {type, value}}; also accepts plain {key: value} (our minimal JSON form). */
export function normalizeAttributes(raw: unknown): Record<string, Attribute> {
  const out: Record<string, Attribute> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  let n = 0;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (n >= MAX_ATTRIBUTES) break;
    const key = clean(k, MAX_KEY);
    if (!key || key === '__proto__') continue;
    let attr: Attribute | null = null;
    if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v) {
      const o = v as { type?: unknown; value: unknown; unit?: unknown };
      const type = typeof o.type === 'string' && TYPES.has(o.type) ? (o.type as AttributeType) : inferType(o.value);
      if (type) attr = { type, value: attrValue(type, o.value), ...(typeof o.unit === 'string' ? { unit: clip(o.unit, 32) } : {}) };
    } else {
      const type = inferType(v);
      if (type) attr = { type, value: attrValue(type, v) };
    }
    if (attr && attr.value !== null) {
      out[key] = attr;
      n++;
    }
  }
  return out;
}

const str = (a: Attribute | undefined, max = 200): string | null => (a && typeof a.value === 'string' && a.value !== '' ? clip(a.value, max) : null);

/** A stored record from a Sentry-shaped log item. `receivedAt` replaces missing or absurd timestamps. */
export function normalizeLogItem(item: LogItemInput, receivedAt: Date, defaults: { release?: string | null; environment?: string | null; service?: string | null } = {}): LogRecord {
  const attributes = normalizeAttributes(item.attributes);
  let timestamp = toDate(item.timestamp) ?? receivedAt;
  if (timestamp.getTime() > receivedAt.getTime() + MAX_FUTURE_MS) timestamp = receivedAt;
  const sevRaw = typeof item.severity_number === 'number' ? item.severity_number : typeof item.severity_number === 'string' ? Number(item.severity_number) : NaN;
  const severity = Number.isInteger(sevRaw) && sevRaw >= 1 && sevRaw <= 24 ? sevRaw : null;
  const level = parseLevel(item.level) ?? (severity ? levelFromSeverity(severity) : 'info');
  let body = typeof item.body === 'string' ? item.body : item.body === undefined || item.body === null ? '' : JSON.stringify(item.body) ?? '';
  body = clean(body, MAX_BODY);
  const template = str(attributes['sentry.message.template'], 2048);
  return {
    timestamp,
    observed: toDate(item.observed_timestamp),
    level,
    severityNumber: severity ?? DEFAULT_SEVERITY[level],
    body,
    traceId: hexId(item.trace_id, 32),
    spanId: hexId(item.span_id, 16),
    release: str(attributes['sentry.release']) ?? defaults.release ?? null,
    environment: str(attributes['sentry.environment'], 64) ?? defaults.environment ?? null,
    service: str(attributes['service.name']) ?? str(attributes['sentry.service']) ?? defaults.service ?? null,
    template,
    attributes,
  };
}
