// Structured logs, protocol §3.4. `logger.fmt` is Sentry's `parameterize`: the record's body is the
// formatted text, and `sentry.message.template` + `sentry.message.parameter.<n>` let the server group
// logs by template. Records are buffered and sent as one `log` item per envelope (at most 100).

import type { LogLevel, ParameterizedString } from './types.js';
import { normalize } from './util.js';

export const MAX_LOGS_PER_ENVELOPE = 100;

/** OTel severity numbers: the lowest of each level's range, as the SDKs send them. */
export const SEVERITY: Record<LogLevel, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

export function fmt(strings: TemplateStringsArray, ...values: unknown[]): ParameterizedString {
  const cooked = strings.map((s, i) => s ?? strings.raw[i]);
  const text = new String(String.raw({ raw: cooked }, ...values)) as ParameterizedString;
  text.__sentry_template_string__ = cooked.join('\0').replace(/%/g, '%%').replace(/\0/g, '%s');
  text.__sentry_template_values__ = values;
  return text;
}

export function isParameterized(m: unknown): m is ParameterizedString {
  return typeof m === 'object' && m !== null && typeof (m as ParameterizedString).__sentry_template_string__ === 'string';
}

export type TypedAttribute = { value: unknown; type: string; unit?: string };

/** A log attribute with its protocol type; anything that is not a scalar is sent as JSON text. */
export function typedAttribute(raw: unknown): TypedAttribute {
  let value = raw;
  let unit: string | undefined;
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw && Object.keys(raw).every((k) => k === 'value' || k === 'unit')) {
    value = (raw as { value: unknown }).value;
    const u = (raw as { unit?: unknown }).unit;
    if (typeof u === 'string') unit = u;
  }
  let a: TypedAttribute;
  if (typeof value === 'string' || typeof value === 'boolean') a = { value, type: typeof value };
  else if (typeof value === 'number' && !Number.isNaN(value) && Number.isFinite(value)) a = { value, type: Number.isInteger(value) ? 'integer' : 'double' };
  else {
    let s: string | undefined;
    try {
      s = JSON.stringify(normalize(value));
    } catch {
      // left empty
    }
    a = { value: s ?? '', type: 'string' };
  }
  if (unit) a.unit = unit;
  return a;
}
