import { describe, expect, it } from 'vitest';
import { SearchSyntaxError } from '../../server/search/errors.ts';
import { parseSearch } from '../../server/search/parse.ts';
import { parseAbsoluteDate } from '../../server/search/spec-comparable.ts';
import { escapeLike, resolveSearch, wildcardToLike, type ResolvedTerm, type SearchSpec } from '../../server/search/spec.ts';

const NOW = new Date('2024-06-15T12:00:00.000Z');

const SPEC: SearchSpec = {
  unknownKeys: 'tag',
  freeText: true,
  keys: {
    status: { type: 'enum', values: ['open', 'closed', 'Snoozed'], valueAliases: { muted: 'Snoozed' } },
    single: { type: 'enum', values: ['a', 'b'], allowList: false, allowNegation: false },
    globbed: { type: 'enum', values: ['error', 'warning', 'fatal'], allowWildcard: true },
    name: { type: 'string', aliases: ['n'] },
    exact: { type: 'string', allowWildcard: false },
    count: { type: 'number', integer: true },
    ratio: { type: 'number' },
    when: { type: 'date', aliases: ['when_alias'] },
    flag: { type: 'boolean' },
    took: { type: 'duration' },
    owner: { type: 'assignee' },
  },
};

const STRICT: SearchSpec = { unknownKeys: 'error', freeText: false, keys: { name: { type: 'string' } } };

function resolve(q: string, spec: SearchSpec = SPEC): ResolvedTerm[] {
  return resolveSearch(parseSearch(q), spec, NOW);
}
function one(q: string, spec: SearchSpec = SPEC): ResolvedTerm {
  const terms = resolve(q, spec);
  expect(terms).toHaveLength(1);
  return terms[0]!;
}
function fails(q: string, spec: SearchSpec = SPEC): SearchSyntaxError {
  try {
    resolve(q, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSyntaxError);
    return e as SearchSyntaxError;
  }
  throw new Error(`expected ${q} to fail`);
}

describe('resolveSearch: enums', () => {
  it('canonicalizes case and value aliases, dedupes', () => {
    expect(one('status:OPEN')).toEqual({ kind: 'enum', key: 'status', values: ['open'], negated: false });
    expect(one('!status:[snoozed, muted, open]')).toEqual({ kind: 'enum', key: 'status', values: ['Snoozed', 'open'], negated: true });
  });

  it('unknown value lists the accepted values', () => {
    const e = fails('x status:foo');
    expect(e.message).toBe('Invalid value "foo" for "status": expected one of open, closed, Snoozed, muted (at position 9)');
    expect(e.position).toBe(9);
    expect(e.token).toBe('foo');
  });

  it('Object.prototype names are not values', () => {
    expect(fails('status:constructor').message).toMatch(/^Invalid value "constructor"/);
    expect(fails('status:__proto__').message).toMatch(/^Invalid value "__proto__"/);
    expect(fails('status:toString').message).toMatch(/^Invalid value "toString"/);
  });

  it('allowList / allowNegation / operators', () => {
    expect(fails('single:[a,b]').message).toBe('"single" does not accept a list of values (at position 7)');
    expect(fails('!single:a').message).toBe('"single" cannot be negated (at position 0)');
    expect(fails('status:>open').message).toBe('Operator ">" is not supported for "status" (at position 7)');
  });

  it('wildcards: rejected by default, expanded against values when allowed', () => {
    expect(fails('status:op*').message).toMatch(/^Wildcards are not supported for "status"/);
    expect(one('globbed:*r*')).toEqual({ kind: 'enum', key: 'globbed', values: ['error', 'warning'], negated: false });
    expect(one('globbed:[FAT*, e*]')).toMatchObject({ values: ['fatal', 'error'] });
    expect(fails('globbed:x*').message).toMatch(/^Invalid value "x\*" for "globbed"/);
  });
});

describe('resolveSearch: strings and tags', () => {
  it('string terms, aliases map to the canonical key', () => {
    expect(one('n:"a b"')).toEqual({ kind: 'string', key: 'name', values: ['a b'], negated: false, wildcard: false });
    expect(one('!name:[x*, y]')).toEqual({ kind: 'string', key: 'name', values: ['x*', 'y'], negated: true, wildcard: true });
  });

  it('allowWildcard: false', () => {
    expect(fails('exact:a*').message).toBe('Wildcards are not supported for "exact" (exact match only) (at position 6)');
    expect(one('exact:a\\*')).toMatchObject({ values: ['a*'], wildcard: false });
  });

  it('a literal \\* cannot be mixed with wildcards', () => {
    expect(fails('name:a\\**').message).toMatch(/^Cannot mix a literal "\\\*" with "\*" wildcards/);
    expect(fails('name:[a*, b\\*]').position).toBe(10);
  });

  it('unknown keys become tags; tags[...] always is a tag', () => {
    expect(one('browser:Chrome*')).toEqual({ kind: 'tag', key: 'browser', values: ['Chrome*'], negated: false, wildcard: true });
    expect(one('!tags[name]:[a, "b c"]')).toEqual({ kind: 'tag', key: 'name', values: ['a', 'b c'], negated: true, wildcard: false });
    expect(one('constructor:x')).toMatchObject({ kind: 'tag', key: 'constructor' });
    expect(one('__proto__:x')).toMatchObject({ kind: 'tag', key: '__proto__' });
    expect(fails('browser:>5').message).toBe('Operator ">" is not supported for tag "browser" (at position 8)');
  });

  it('unknown keys are errors when unknownKeys is "error"', () => {
    expect(fails('name:x browser:y', STRICT)).toMatchObject({ message: 'Unknown search key "browser" (at position 7)', position: 7, token: 'browser' });
    expect(fails('tags[b]:y', STRICT).message).toBe('Tag search is not supported here ("tags[b]") (at position 0)');
    expect(fails('toString:y', STRICT).message).toBe('Unknown search key "toString" (at position 0)');
  });

  it('empty values', () => {
    expect(fails('TypeError: foo').message).toBe(
      'Missing value for "TypeError": write TypeError:value, or quote the text ("TypeError:") to search for it literally (at position 10)',
    );
    expect(fails('name:""').message).toBe('Empty value for "name" (use !has:name to find missing values) (at position 5)');
    expect(fails('name:[a, ""]').position).toBe(9);
    expect(one('"TypeError:"')).toEqual({ kind: 'text', value: 'TypeError:', negated: false });
  });
});

describe('resolveSearch: numbers and durations', () => {
  it.each([
    ['count:5', '=', 5],
    ['count:>100', '>', 100],
    ['count:>=1k', '>=', 1000],
    ['count:<2.5m', '<', 2_500_000],
    ['count:<=1B', '<=', 1e9],
    ['count:-3', '=', -3],
    ['!count:5', '!=', 5],
    ['!count:>5', '<=', 5],
    ['!count:>=5', '<', 5],
    ['!count:<5', '>=', 5],
    ['!count:<=5', '>', 5],
    ['ratio:0.25', '=', 0.25],
    ['ratio:-0', '=', 0],
  ])('%s', (q, op, value) => {
    const t = one(q);
    expect(t).toEqual({ kind: 'number', key: q.includes('ratio') ? 'ratio' : 'count', op, value });
    if (t.kind === 'number') expect(Object.is(t.value, -0)).toBe(false);
  });

  it('rejects non-numbers and out-of-range numbers', () => {
    expect(fails('count:abc')).toMatchObject({ message: 'Invalid number "abc" for "count" (at position 6)', position: 6 });
    for (const bad of ['1e5', '0x10', '1,000', '1.', '.5', 'NaN', 'Infinity', '--1', '5*', '1kk']) {
      expect(fails(`ratio:${bad}`).message).toMatch(/^Invalid number|^Wildcards/);
    }
    expect(fails(`ratio:${'9'.repeat(20)}`).message).toMatch(/is out of range/);
    expect(fails('count:1.5').message).toBe('"count" expects a whole number, got "1.5" (at position 6)');
    expect(fails('count:[1,2]').message).toBe('"count" does not accept a list of values (at position 6)');
  });

  it('durations resolve to milliseconds', () => {
    expect(one('took:>500')).toEqual({ kind: 'duration', key: 'took', op: '>', value: 500 });
    expect(one('took:>500ms')).toMatchObject({ value: 500 });
    expect(one('took:<1.5s')).toMatchObject({ op: '<', value: 1500 });
    expect(one('took:2m')).toMatchObject({ op: '=', value: 120_000 });
    expect(one('took:2min')).toMatchObject({ value: 120_000 });
    expect(one('!took:>=1h')).toMatchObject({ op: '<', value: 3_600_000 });
    expect(one('took:1d')).toMatchObject({ value: 86_400_000 });
    expect(one('took:1w')).toMatchObject({ value: 604_800_000 });
    expect(fails('took:5y').message).toMatch(/^Invalid duration "5y" for "took"/);
  });
});

describe('resolveSearch: booleans', () => {
  it('true/false/yes/no/1/0, negation inverts', () => {
    expect(one('flag:true')).toEqual({ kind: 'boolean', key: 'flag', value: true });
    expect(one('flag:NO')).toEqual({ kind: 'boolean', key: 'flag', value: false });
    expect(one('!flag:1')).toEqual({ kind: 'boolean', key: 'flag', value: false });
    expect(fails('flag:maybe').message).toBe('Invalid value "maybe" for "flag": expected true or false (at position 5)');
    expect(fails('flag:>1').message).toMatch(/^Operator ">" is not supported for "flag"/);
  });
});

describe('resolveSearch: dates', () => {
  const d = (s: string) => new Date(s);

  it('relative: - is "within the last", + is "older than"', () => {
    expect(one('when:-24h')).toEqual({ kind: 'date', key: 'when', op: '>=', value: d('2024-06-14T12:00:00Z') });
    expect(one('when:+7d')).toEqual({ kind: 'date', key: 'when', op: '<', value: d('2024-06-08T12:00:00Z') });
    expect(one('when:-30s')).toMatchObject({ value: d('2024-06-15T11:59:30Z') });
    expect(one('when:-15m')).toMatchObject({ value: d('2024-06-15T11:45:00Z') });
    expect(one('when:-2w')).toMatchObject({ value: d('2024-06-01T12:00:00Z') });
    expect(one('!when:-24h')).toMatchObject({ op: '<', value: d('2024-06-14T12:00:00Z') });
    expect(one('!when:+24h')).toMatchObject({ op: '>=' });
    expect(one('when_alias:-1h')).toMatchObject({ key: 'when' });
  });

  it('relative dates reject operators and bad units', () => {
    expect(fails('when:>-24h').message).toBe(
      'A relative date cannot take an operator: use when:-24h (within the last 24h) or when:+24h (older than 24h) (at position 5)',
    );
    expect(fails('when:-24y').message).toMatch(/^Invalid date "-24y" for "when"/);
    expect(fails('when:-24').message).toMatch(/^Invalid date/);
    expect(fails('when:24h').message).toMatch(/^Invalid date/);
    expect(fails('when:-9999999w').message).toMatch(/out of range/);
  });

  it('a bare day is a [start, next day) range; negation keeps the range', () => {
    expect(one('when:2024-01-01')).toEqual({
      kind: 'date_range',
      key: 'when',
      from: d('2024-01-01T00:00:00Z'),
      to: d('2024-01-02T00:00:00Z'),
      negated: false,
    });
    expect(one('!when:2024-02-29')).toMatchObject({ kind: 'date_range', negated: true, to: d('2024-03-01T00:00:00Z') });
  });

  it('comparisons against a day treat the day as a unit', () => {
    expect(one('when:>2024-01-01')).toEqual({ kind: 'date', key: 'when', op: '>=', value: d('2024-01-02T00:00:00Z') });
    expect(one('when:>=2024-01-01')).toEqual({ kind: 'date', key: 'when', op: '>=', value: d('2024-01-01T00:00:00Z') });
    expect(one('when:<2024-01-01')).toEqual({ kind: 'date', key: 'when', op: '<', value: d('2024-01-01T00:00:00Z') });
    expect(one('when:<=2024-01-01')).toEqual({ kind: 'date', key: 'when', op: '<', value: d('2024-01-02T00:00:00Z') });
    expect(one('!when:<=2024-01-01')).toEqual({ kind: 'date', key: 'when', op: '>=', value: d('2024-01-02T00:00:00Z') });
  });

  it('timestamps at minute, second and millisecond precision, with time zones', () => {
    expect(one('when:<2024-01-01T12:00:00Z')).toEqual({ kind: 'date', key: 'when', op: '<', value: d('2024-01-01T12:00:00Z') });
    expect(one('when:2024-01-01T12:00')).toMatchObject({ from: d('2024-01-01T12:00:00Z'), to: d('2024-01-01T12:01:00Z') });
    expect(one('when:2024-01-01T12:00:05')).toMatchObject({ to: d('2024-01-01T12:00:06Z') });
    expect(one('when:>2024-01-01T12:00:00.250Z')).toMatchObject({ op: '>=', value: d('2024-01-01T12:00:00.251Z') });
    expect(one('when:>=2024-01-01T12:00:00.123456Z')).toMatchObject({ value: d('2024-01-01T12:00:00.123Z') });
    expect(one('when:>=2024-01-01T12:00:00+02:00')).toMatchObject({ value: d('2024-01-01T10:00:00Z') });
    expect(one('when:>=2024-01-01T12:00:00-0530')).toMatchObject({ value: d('2024-01-01T17:30:00Z') });
    expect(one('when:>="2024-01-01t12:00z"')).toMatchObject({ value: d('2024-01-01T12:00:00Z') });
  });

  it('rejects invalid dates', () => {
    for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '2024-01-01T24:00', '2024-01-01T12:60', '2024-01-01T12:00:60',
      '2024-1-1', '24-01-01', '2024/01/01', 'yesterday', '2024-01-01T12', '2024-01-01T12:00+25:00', '0000-01-01', '2024-01-01 ', '2024-01-*']) {
      const e = fails(`when:${JSON.stringify(bad)}`);
      expect(e.message).toMatch(/^Invalid date/);
      expect(e.position).toBe(5);
    }
    expect(fails('when:[2024-01-01]').message).toBe('"when" does not accept a list of values (at position 5)');
  });

  it('parseAbsoluteDate handles year edges', () => {
    expect(parseAbsoluteDate('0001-01-01')?.start.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseAbsoluteDate('0099-03-01')?.start.toISOString()).toBe('0099-03-01T00:00:00.000Z');
    expect(parseAbsoluteDate('9999-12-31')?.end.toISOString()).toBe('+010000-01-01T00:00:00.000Z');
    expect(parseAbsoluteDate('9999-12-31T23:59:59-01:00')).toBeNull();
  });

  it('requires a valid now', () => {
    expect(() => resolveSearch(parseSearch('when:-1h'), SPEC, new Date(NaN))).toThrow(TypeError);
  });
});

describe('resolveSearch: assignee', () => {
  it('me, none, my_teams, #team, email', () => {
    expect(one('owner:me')).toEqual({ kind: 'assignee', key: 'owner', values: [{ type: 'me' }], negated: false });
    expect(one('!owner:[NONE, my_teams, "#Backend-1", a.b+c@example.com, me, Me]')).toEqual({
      kind: 'assignee',
      key: 'owner',
      values: [{ type: 'none' }, { type: 'my_teams' }, { type: 'team', slug: 'backend-1' }, { type: 'user', email: 'a.b+c@example.com' }, { type: 'me' }],
      negated: true,
    });
  });

  it('rejects anything else', () => {
    for (const bad of ['bob', '#', '#a b', '#a.b', '@x', 'x@', 'a@b@c', '"a b@c"', 'a*@b']) {
      const e = fails(`owner:${bad.startsWith('"') ? bad : JSON.stringify(bad)}`);
      expect(e.message).toMatch(/^(Invalid value .* for "owner": expected me, none, my_teams, #team-slug or an email|Wildcards are not supported for "owner")/);
    }
  });
});

describe('resolveSearch: has', () => {
  it('known keys (canonical), unknown keys and tags[...]', () => {
    expect(one('has:n')).toEqual({ kind: 'has', key: 'name', tag: false, negated: false });
    expect(one('!has:browser')).toEqual({ kind: 'has', key: 'browser', tag: true, negated: true });
    expect(one('has:tags[name]')).toEqual({ kind: 'has', key: 'name', tag: true, negated: false });
    expect(one('has:"tags[a b]"')).toEqual({ kind: 'has', key: 'a b', tag: true, negated: false });
    expect(one('tags[has]:x')).toMatchObject({ kind: 'tag', key: 'has' });
  });

  it('errors', () => {
    expect(fails('has:').message).toBe('Missing key for "has": write has:key (at position 4)');
    expect(fails('has:[a,b]').message).toMatch(/^"has" takes a single key/);
    expect(fails('has:>a').message).toMatch(/^Operator ">" is not supported for "has"/);
    expect(fails('has:a*').message).toMatch(/^Wildcards are not supported for "has"/);
    expect(fails('has:"a b"').message).toBe('Invalid key "a b" for "has" (at position 4)');
    expect(fails('has:browser', STRICT).message).toBe('Unknown search key "browser" (at position 4)');
    expect(one('has:name', STRICT)).toMatchObject({ kind: 'has', tag: false });
  });
});

describe('resolveSearch: free text', () => {
  it('text terms', () => {
    expect(resolve('timeout !"conn reset" !x')).toEqual([
      { kind: 'text', value: 'timeout', negated: false },
      { kind: 'text', value: 'conn reset', negated: true },
      { kind: 'text', value: 'x', negated: true },
    ]);
  });

  it('rejected where free text is off; empty quotes rejected', () => {
    expect(fails('name:a oops', STRICT)).toMatchObject({
      message: 'Free text search is not supported here; use key:value filters ("oops") (at position 7)',
      position: 7,
    });
    expect(fails('""').message).toBe('Empty search text (at position 0)');
  });
});

describe('SearchSpec validation (programmer errors)', () => {
  it('rejects reserved, duplicate and malformed keys with plain Errors', () => {
    const bad = (keys: SearchSpec['keys']) => () => resolveSearch(parseSearch(''), { unknownKeys: 'tag', freeText: true, keys }, NOW);
    expect(bad({ has: { type: 'string' } })).toThrow('"has" is reserved');
    expect(bad({ a: { type: 'string', aliases: ['b'] }, b: { type: 'string' } })).toThrow('duplicate');
    expect(bad({ 'a b': { type: 'string' } })).toThrow('invalid key name');
    expect(bad({ e: { type: 'enum' } })).toThrow('needs values');
  });
});

describe('LIKE helpers', () => {
  it('escapeLike escapes \\ % _ only', () => {
    expect(escapeLike('100%_a\\b*')).toBe('100\\%\\_a\\\\b*');
  });
  it('wildcardToLike turns * into % and escapes the rest', () => {
    expect(wildcardToLike('*50%_off\\*')).toBe('%50\\%\\_off\\\\%');
    expect(wildcardToLike("'; DROP TABLE issues; --*")).toBe("'; DROP TABLE issues; --%");
  });
});
