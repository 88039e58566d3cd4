/**
 * Search validation: the values of string, tag, enum and assignee keys (lists, wildcards, aliases).
 */
import { termError } from './errors.ts';
import type { ParsedFilterTerm, ParsedValue } from './parse-terms.ts';
import type { Assignee, KeySpec, ResolvedTerm } from './spec.ts';

export function noWildcard(name: string, v: ParsedValue, what: string): void {
  if (v.wildcard) throw termError(`Wildcards are not supported for "${name}" (${what})`, v.start, v.raw);
}

export function resolveStringLike(kind: 'string' | 'tag', name: string, term: ParsedFilterTerm, ks: KeySpec): ResolvedTerm {
  const allowWildcard = kind === 'tag' || ks.allowWildcard !== false;
  let wildcard = false;
  let escapedStar = false;
  for (const v of term.values) {
    if (v.wildcard && !allowWildcard) noWildcard(name, v, 'exact match only');
    wildcard ||= v.wildcard;
    escapedStar ||= v.escapedStar;
    if (wildcard && escapedStar) {
      throw termError(`Cannot mix a literal "\\*" with "*" wildcards in one filter for "${name}"`, v.start, v.raw);
    }
  }
  return { kind, key: name, values: dedupe(term.values.map((v) => v.value)), negated: term.negated, wildcard };
}

export function resolveEnum(name: string, ks: KeySpec, term: ParsedFilterTerm): ResolvedTerm {
  const canonical = ks.values!;
  const aliases = ks.valueAliases ?? {};
  const values: string[] = [];
  for (const v of term.values) {
    const lower = v.value.toLowerCase();
    if (v.wildcard) {
      if (ks.allowWildcard !== true) noWildcard(name, v, `expected one of ${expectedList(ks)}`);
      const matches = canonical.filter((c) => globMatch(lower, c.toLowerCase()));
      if (matches.length === 0) {
        throw termError(`Invalid value "${v.value}" for "${name}": expected one of ${expectedList(ks)}`, v.start, v.raw);
      }
      values.push(...matches);
      continue;
    }
    const hit = canonical.find((c) => c.toLowerCase() === lower);
    if (hit !== undefined) {
      values.push(hit);
      continue;
    }
    if (Object.hasOwn(aliases, lower)) {
      values.push(aliases[lower]!);
      continue;
    }
    throw termError(`Invalid value "${v.value}" for "${name}": expected one of ${expectedList(ks)}`, v.start, v.raw);
  }
  return { kind: 'enum', key: name, values: dedupe(values), negated: term.negated };
}

function expectedList(ks: KeySpec): string {
  return [...(ks.values ?? []), ...Object.keys(ks.valueAliases ?? {})].join(', ');
}

const TEAM_SLUG_MAX = 100;
const EMAIL_MAX = 254;

export function resolveAssignee(name: string, ks: KeySpec, term: ParsedFilterTerm): ResolvedTerm {
  const values: Assignee[] = [];
  const seen = new Set<string>();
  for (const v of term.values) {
    if (v.wildcard && ks.allowWildcard !== true) noWildcard(name, v, 'expected me, none, my_teams, #team-slug or an email');
    const a = parseAssignee(v.value);
    if (!a) {
      throw termError(`Invalid value "${v.value}" for "${name}": expected me, none, my_teams, #team-slug or an email`, v.start, v.raw);
    }
    const id = JSON.stringify(a);
    if (!seen.has(id)) {
      seen.add(id);
      values.push(a);
    }
  }
  return { kind: 'assignee', key: name, values, negated: term.negated };
}

function parseAssignee(raw: string): Assignee | null {
  const lower = raw.toLowerCase();
  if (lower === 'me') return { type: 'me' };
  if (lower === 'none') return { type: 'none' };
  if (lower === 'my_teams') return { type: 'my_teams' };
  if (raw.startsWith('#')) {
    const slug = raw.slice(1);
    if (slug.length === 0 || slug.length > TEAM_SLUG_MAX) return null;
    for (let i = 0; i < slug.length; i++) {
      const c = slug.charCodeAt(i);
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f;
      if (!ok) return null;
    }
    return { type: 'team', slug: slug.toLowerCase() };
  }
  const at = raw.indexOf('@');
  if (at > 0 && at === raw.lastIndexOf('@') && at < raw.length - 1 && raw.length <= EMAIL_MAX) {
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x2c || c === 0x3c || c === 0x3e) return null;
    }
    return { type: 'user', email: raw };
  }
  return null;
}

function dedupe<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** `*`-glob match without regexes (greedy with single backtrack point: O(n·m) worst case). */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
