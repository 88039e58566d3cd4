import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ISSUE_SORT,
  ISSUE_IS_VALUES,
  ISSUE_SEARCH_SPEC,
  ISSUE_SORT_KEYS,
  IssueSortSchema,
  parseIssueSearch,
} from '../../server/search/issues.ts';
import { SearchSyntaxError } from '../../server/search/errors.ts';
import { parseSearch } from '../../server/search/parse.ts';
import { quoteSearchValue } from '../../server/search/parse-scan.ts';
import { resolveSearch, wildcardToLike } from '../../server/search/spec.ts';

const NOW = new Date('2024-06-15T12:00:00.000Z');
const parse = (q: string) => parseIssueSearch(q, NOW);

function fails(q: string): SearchSyntaxError {
  try {
    parse(q);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSyntaxError);
    return e as SearchSyntaxError;
  }
  throw new Error(`expected ${q} to fail`);
}

describe('issue search spec', () => {
  it('a realistic query', () => {
    expect(
      parse('is:unresolved !level:[error, "fatal"] environment:prod* firstSeen:-24h times_seen:>100 browser:Chrome has:release assigned:me timeout'),
    ).toEqual([
      { kind: 'enum', key: 'is', values: ['unresolved'], negated: false },
      { kind: 'enum', key: 'level', values: ['error', 'fatal'], negated: true },
      { kind: 'string', key: 'environment', values: ['prod*'], negated: false, wildcard: true },
      { kind: 'date', key: 'firstSeen', op: '>=', value: new Date('2024-06-14T12:00:00Z') },
      { kind: 'number', key: 'times_seen', op: '>', value: 100 },
      { kind: 'tag', key: 'browser', values: ['Chrome'], negated: false, wildcard: false },
      { kind: 'has', key: 'release', tag: false, negated: false },
      { kind: 'assignee', key: 'assigned', values: [{ type: 'me' }], negated: false },
      { kind: 'text', value: 'timeout', negated: false },
    ]);
  });

  it('is: values, archived alias, no lists', () => {
    for (const v of ISSUE_IS_VALUES) expect(parse(`is:${v}`)).toEqual([{ kind: 'enum', key: 'is', values: [v], negated: false }]);
    expect(parse('is:archived')).toEqual([{ kind: 'enum', key: 'is', values: ['ignored'], negated: false }]);
    expect(parse('!is:Resolved')).toEqual([{ kind: 'enum', key: 'is', values: ['resolved'], negated: true }]);
    expect(fails('is:[resolved, ignored]').message).toMatch(/^"is" does not accept a list/);
    const e = fails('is:foo');
    expect(e.message).toBe(
      'Invalid value "foo" for "is": expected one of unresolved, resolved, ignored, regressed, assigned, unassigned, for_review, archived (at position 3)',
    );
    expect(e.position).toBe(3);
  });

  it('level:', () => {
    expect(parse('level:warning')).toEqual([{ kind: 'enum', key: 'level', values: ['warning'], negated: false }]);
    expect(fails('level:warn').message).toMatch(/^Invalid value "warn" for "level": expected one of fatal, error, warning, info, debug/);
    expect(fails('level:err*').message).toMatch(/^Wildcards are not supported for "level"/);
  });

  it('string keys', () => {
    for (const key of ['environment', 'release', 'user.id', 'user.email', 'user.username', 'user.ip', 'title', 'culprit', 'message']) {
      expect(parse(`!${key}:[a, "b c"]`)).toEqual([{ kind: 'string', key, values: ['a', 'b c'], negated: true, wildcard: false }]);
    }
    expect(parse('issue:FAULTLINE-1A')).toEqual([{ kind: 'string', key: 'issue', values: ['FAULTLINE-1A'], negated: false, wildcard: false }]);
    expect(parse('shortId:X-1')).toMatchObject([{ key: 'issue' }]);
    expect(fails('issue:FAULT*').message).toMatch(/^Wildcards are not supported for "issue"/);
  });

  it('assigned:', () => {
    expect(parse('assigned:[me, none, #backend, dev@example.com]')).toEqual([
      {
        kind: 'assignee',
        key: 'assigned',
        values: [{ type: 'me' }, { type: 'none' }, { type: 'team', slug: 'backend' }, { type: 'user', email: 'dev@example.com' }],
        negated: false,
      },
    ]);
    expect(parse('assigned_to:me')).toMatchObject([{ key: 'assigned' }]);
    expect(fails('assigned:bob').message).toMatch(/^Invalid value "bob" for "assigned"/);
  });

  it('times_seen:', () => {
    expect(parse('times_seen:>=1k')).toEqual([{ kind: 'number', key: 'times_seen', op: '>=', value: 1000 }]);
    expect(parse('timesSeen:5')).toEqual([{ kind: 'number', key: 'times_seen', op: '=', value: 5 }]);
    expect(fails('times_seen:many').message).toBe('Invalid number "many" for "times_seen" (at position 11)');
    expect(fails('times_seen:1.5').message).toMatch(/whole number/);
  });

  it('date keys and their aliases', () => {
    expect(parse('firstSeen:-24h first_seen:-1h age:-7d lastSeen:+30d last_seen:2024-01-01').map((t) => [t.kind, 'key' in t ? t.key : ''])).toEqual([
      ['date', 'firstSeen'],
      ['date', 'firstSeen'],
      ['date', 'firstSeen'],
      ['date', 'lastSeen'],
      ['date_range', 'lastSeen'],
    ]);
    expect(parse('firstSeen:>2024-01-01')).toEqual([{ kind: 'date', key: 'firstSeen', op: '>=', value: new Date('2024-01-02T00:00:00Z') }]);
    expect(parse('lastSeen:<2024-01-01T12:00:00Z')).toEqual([{ kind: 'date', key: 'lastSeen', op: '<', value: new Date('2024-01-01T12:00:00Z') }]);
    expect(fails('lastSeen:soon').position).toBe(9);
  });

  it('has:, tags and the level tag', () => {
    expect(parse('has:user.email !has:os.name has:tags[level]')).toEqual([
      { kind: 'has', key: 'user.email', tag: false, negated: false },
      { kind: 'has', key: 'os.name', tag: true, negated: true },
      { kind: 'has', key: 'level', tag: true, negated: false },
    ]);
    expect(parse('tags[level]:x url:https://x.y/*')).toEqual([
      { kind: 'tag', key: 'level', values: ['x'], negated: false, wildcard: false },
      { kind: 'tag', key: 'url', values: ['https://x.y/*'], negated: false, wildcard: true },
    ]);
  });

  it('bounds: 50 terms', () => {
    expect(parse(Array.from({ length: 50 }, () => 'is:unresolved').join(' '))).toHaveLength(50);
    expect(fails(Array.from({ length: 51 }, () => 'x').join(' ')).message).toMatch(/^Too many search terms/);
  });

  it('the spec has no duplicate names', () => {
    expect(() => resolveSearch(parseSearch(''), ISSUE_SEARCH_SPEC, NOW)).not.toThrow();
  });
});

describe('sort keys', () => {
  it('zod enum', () => {
    expect(ISSUE_SORT_KEYS).toEqual(['date', 'new', 'freq', 'user', 'priority']);
    expect(IssueSortSchema.parse('freq')).toBe('freq');
    expect(IssueSortSchema.safeParse('times_seen').success).toBe(false);
    expect(IssueSortSchema.safeParse("date'; --").success).toBe(false);
    expect(DEFAULT_ISSUE_SORT).toBe('date');
  });
});

describe('hostile input comes out as plain data', () => {
  const nasty = [
    "'; DROP TABLE issues; --",
    "' OR '1'='1",
    'a%b_c',
    '%',
    '_',
    '\\',
    '\\\\',
    '$1',
    '$$; SELECT pg_sleep(10); $$',
    '"',
    "E'\\x00'",
    '\u0001\u0002\u001b[31m',
    '😀 ünïcödé 中文 עברית',
    '\u202e\u200b',
    '<script>alert(1)</script>',
    '${process.exit()}',
    '__proto__',
    'a]b[c,d',
  ];

  it.each(nasty)('as a quoted string value: %j', (s) => {
    expect(parse(`message:${quoteSearchValue(s)}`)).toEqual([{ kind: 'string', key: 'message', values: [s], negated: false, wildcard: false }]);
  });

  it.each(nasty)('as a quoted tag value in a list: %j', (s) => {
    expect(parse(`!tags[x]:[${quoteSearchValue(s)}, ok]`)).toEqual([{ kind: 'tag', key: 'x', values: [s, 'ok'], negated: true, wildcard: false }]);
  });

  it.each(nasty)('as quoted free text: %j', (s) => {
    expect(parse(quoteSearchValue(s))).toEqual([{ kind: 'text', value: s, negated: false }]);
  });

  it('unquoted SQL-ish text is split into plain words', () => {
    expect(parse("'; DROP TABLE issues; --")).toEqual(
      ["';", 'DROP', 'TABLE', 'issues;', '--'].map((value) => ({ kind: 'text', value, negated: false })),
    );
    expect(parse("title:'%'")).toEqual([{ kind: 'string', key: 'title', values: ["'%'"], negated: false, wildcard: false }]);
  });

  it('% and _ are literal; only * becomes a LIKE wildcard', () => {
    const [t] = parse('title:100%_off*');
    expect(t).toEqual({ kind: 'string', key: 'title', values: ['100%_off*'], negated: false, wildcard: true });
    expect(wildcardToLike('100%_off*')).toBe('100\\%\\_off%');
  });

  it('SQL-looking keys are just free text, never keys', () => {
    expect(parse('issues;DROP:x')).toMatchObject([{ kind: 'text', value: 'issues;DROP:x' }]);
    expect(parse("tags[a';--]:x")).toEqual([{ kind: 'tag', key: "a';--", values: ['x'], negated: false, wildcard: false }]);
  });

  it('NUL bytes are rejected with a position (Postgres text cannot hold them)', () => {
    const e = fails('message:"a\u0000b"');
    expect(e.position).toBe(10);
    expect(e.message).toBe('NUL characters are not allowed in a search at position 10: \\u0000');
  });

  it('resolved terms contain only plain data (strings, numbers, booleans, Dates)', () => {
    const terms = parse(
      "is:unresolved level:[error,fatal] message:\"'; DROP TABLE x; --\" times_seen:>5 firstSeen:-1d lastSeen:2024-01-01 has:a assigned:#t !oops",
    );
    const check = (v: unknown): void => {
      if (v instanceof Date) return;
      if (Array.isArray(v)) return v.forEach(check);
      if (v && typeof v === 'object') {
        expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
        return Object.values(v).forEach(check);
      }
      expect(['string', 'number', 'boolean']).toContain(typeof v);
    };
    check(terms);
  });
});
