/**
 * Search validation: the values of the comparable key types (numbers, durations, dates), with
 * negation folded into the operator.
 */
import { termError } from './errors.ts';
import type { ComparisonOp, ParsedFilterTerm, ParsedValue } from './parse-terms.ts';
import type { NumberOp, ResolvedTerm } from './spec.ts';

// Numbers and durations

const NUMBER_RE = /^(-?)(\d{1,20})(?:\.(\d{1,20}))?([kmb])?$/i;
const NUMBER_SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

export function parseNumber(name: string, v: ParsedValue, integer: boolean): number {
  const m = v.value.length <= 48 ? NUMBER_RE.exec(v.value) : null;
  if (!m) throw termError(`Invalid number "${v.value}" for "${name}"`, v.start, v.raw);
  let n = Number(`${m[1]}${m[2]}${m[3] ? '.' + m[3] : ''}`);
  if (m[4]) n *= NUMBER_SUFFIX[m[4].toLowerCase()]!;
  // Avoid -0 and float noise from suffix multiplication (1.1k → 1100).
  if (m[4]) n = Math.round(n * 1e6) / 1e6;
  if (n === 0) n = 0;
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw termError(`Number "${v.value}" is out of range for "${name}"`, v.start, v.raw);
  }
  if (integer && !Number.isInteger(n)) throw termError(`"${name}" expects a whole number, got "${v.value}"`, v.start, v.raw);
  return n;
}

const DURATION_RE = /^(\d{1,15})(?:\.(\d{1,9}))?(ms|s|m|min|h|d|w)?$/i;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, min: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

export function parseDuration(name: string, v: ParsedValue): number {
  const m = v.value.length <= 32 ? DURATION_RE.exec(v.value) : null;
  if (!m) {
    throw termError(`Invalid duration "${v.value}" for "${name}": expected a number with an optional unit (ms, s, m, h, d, w)`, v.start, v.raw);
  }
  const amount = Number(`${m[1]}${m[2] ? '.' + m[2] : ''}`);
  const ms = amount * DURATION_UNIT_MS[(m[3] ?? 'ms').toLowerCase()]!;
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) throw termError(`Duration "${v.value}" is out of range for "${name}"`, v.start, v.raw);
  return ms;
}

export function invertNumberOp(op: NumberOp): NumberOp {
  switch (op) {
    case '=':
      return '!=';
    case '!=':
      return '=';
    case '>':
      return '<=';
    case '>=':
      return '<';
    case '<':
      return '>=';
    case '<=':
      return '>';
  }
}

// ---------------------------------------------------------------------------------------
// Dates

/** 0001-01-01T00:00:00Z .. 10000-01-01T00:00:00Z (exclusive): representable in Postgres and ISO. */
const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300800000;
const DAY_MS = 86400e3;
const RELATIVE_UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: DAY_MS, w: 7 * DAY_MS };
const RELATIVE_RE = /^([+-])(\d{1,7})([smhdw])$/;
const ABSOLUTE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parse an absolute date/time into the interval it denotes, or null. Exported for tests. */
export function parseAbsoluteDate(text: string): { start: Date; end: Date } | null {
  const m = text.length <= 40 ? ABSOLUTE_RE.exec(text) : null;
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hasTime = m[4] !== undefined;
  const hour = hasTime ? Number(m[4]) : 0;
  const minute = hasTime ? Number(m[5]) : 0;
  const second = m[6] !== undefined ? Number(m[6]) : 0;
  const fraction = m[7];
  const ms = fraction !== undefined ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null; // Feb 30
  d.setUTCHours(hour, minute, second, ms);
  let offsetMs = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMs = sign * (oh * 60 + om) * 60e3;
  }
  const precision = !hasTime ? DAY_MS : fraction !== undefined ? 1 : m[6] !== undefined ? 1e3 : 60e3;
  const start = d.getTime() - offsetMs;
  const end = start + precision;
  if (start < MIN_TIME || end > MAX_TIME) return null;
  return { start: new Date(start), end: new Date(end) };
}

export function resolveDate(name: string, term: ParsedFilterTerm, now: Date): ResolvedTerm {
  const v = term.values[0]!;
  const invalid = () =>
    termError(
      `Invalid date "${v.value}" for "${name}": expected a relative time like -24h or +7d (units s, m, h, d, w), or a date like 2024-01-01 or 2024-01-01T12:00:00Z`,
      v.start,
      v.raw,
    );
  if (v.wildcard) throw invalid();

  const rel = v.value.length <= 16 ? RELATIVE_RE.exec(v.value) : null;
  if (rel) {
    if (term.op) {
      throw termError(
        `A relative date cannot take an operator: use ${term.key}:-${rel[2]}${rel[3]} (within the last ${rel[2]}${rel[3]}) or ${term.key}:+${rel[2]}${rel[3]} (older than ${rel[2]}${rel[3]})`,
        term.keyEnd + 1,
        term.raw,
      );
    }
    const t = now.getTime() - Number(rel[2]) * RELATIVE_UNIT_MS[rel[3]!]!;
    if (!(t >= MIN_TIME && t < MAX_TIME)) throw termError(`Date "${v.value}" is out of range for "${name}"`, v.start, v.raw);
    // "-" = within the last (value >= now - d); "+" = older than (value < now - d).
    let op: ComparisonOp = rel[1] === '-' ? '>=' : '<';
    if (term.negated) op = op === '>=' ? '<' : '>=';
    return { kind: 'date', key: name, op, value: new Date(t) };
  }

  const abs = parseAbsoluteDate(v.value);
  if (!abs) throw invalid();
  if (!term.op) return { kind: 'date_range', key: name, from: abs.start, to: abs.end, negated: term.negated };
  let op: ComparisonOp;
  let value: Date;
  switch (term.op) {
    case '>':
      [op, value] = ['>=', abs.end];
      break;
    case '>=':
      [op, value] = ['>=', abs.start];
      break;
    case '<':
      [op, value] = ['<', abs.start];
      break;
    case '<=':
      [op, value] = ['<', abs.end];
      break;
  }
  if (term.negated) op = op === '>=' ? '<' : '>=';
  return { kind: 'date', key: name, op, value };
}
