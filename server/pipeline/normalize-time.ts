// Timestamps (protocol §5.1): float unix seconds, numeric strings, or RFC 3339 strings with
// or without `Z`, with offsets (sentry-go sends local offsets) and up to nanoseconds.

// Bounded input (≤ 64 chars checked before matching), no nested quantifiers.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?)?\s?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^-?\d{1,12}(?:\.\d{1,12})?$/;

/** Parses a timestamp to float unix seconds; null when missing or unparseable. */
export function parseTimestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.length > 64) return null;
  const s = v.trim();
  if (NUMERIC.test(s)) return Number(s);
  const m = RFC3339.exec(s);
  if (!m) return null;
  const year = +m[1], month = +m[2], day = +m[3];
  const hour = m[4] ? +m[4] : 0, minute = m[5] ? +m[5] : 0, second = m[6] ? +m[6] : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null; // Feb 30
  let seconds = ms / 1000;
  if (m[7]) seconds += Number(`0.${m[7]}`);
  const off = m[8];
  if (off && off !== 'Z' && off !== 'z' && off !== 'UTC') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return null;
    seconds -= sign * (oh * 3600 + om * 60);
  }
  return seconds;
}

/** ISO 8601 text of float unix seconds, for error messages. */
export function isoOf(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}
