import { describe, expect, it } from 'vitest';
import { SearchSyntaxError } from '../../server/search/errors.ts';
import { parseSearch } from '../../server/search/parse.ts';
import { quoteSearchValue } from '../../server/search/parse-scan.ts';
import { MAX_LIST_ITEMS, MAX_QUERY_LENGTH, MAX_TERMS, type ParsedFilterTerm, type ParsedTextTerm } from '../../server/search/parse-terms.ts';

function filter(input: string, i = 0): ParsedFilterTerm {
  const t = parseSearch(input).terms[i];
  if (t?.type !== 'filter') throw new Error(`term ${i} of ${input} is not a filter`);
  return t;
}
function text(input: string, i = 0): ParsedTextTerm {
  const t = parseSearch(input).terms[i];
  if (t?.type !== 'text') throw new Error(`term ${i} of ${input} is not text`);
  return t;
}
function syntaxError(input: string): SearchSyntaxError {
  try {
    parseSearch(input);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSyntaxError);
    return e as SearchSyntaxError;
  }
  throw new Error(`expected a SearchSyntaxError for ${JSON.stringify(input)}`);
}

describe('parseSearch: basics', () => {
  it('empty and whitespace-only queries have no terms', () => {
    expect(parseSearch('').terms).toEqual([]);
    expect(parseSearch('   \t\n ').terms).toEqual([]);
  });

  it('parses key:value with positions and raw text', () => {
    const q = parseSearch('  is:unresolved level:error');
    expect(q.terms).toHaveLength(2);
    const [a, b] = q.terms as ParsedFilterTerm[];
    expect(a).toMatchObject({
      type: 'filter',
      key: 'is',
      negated: false,
      op: null,
      list: false,
      start: 2,
      end: 15,
      raw: 'is:unresolved',
      keyStart: 2,
      keyEnd: 4,
      explicitTag: false,
    });
    expect(a!.values).toEqual([
      { value: 'unresolved', raw: 'unresolved', quoted: false, wildcard: false, escapedStar: false, start: 5, end: 15 },
    ]);
    expect(b).toMatchObject({ key: 'level', start: 16, end: 27, raw: 'level:error' });
  });

  it('accepts every key character [A-Za-z0-9_.-@]', () => {
    expect(filter('user.email:a@b.c').key).toBe('user.email');
    expect(filter('Some_Key-1.x@y:v').key).toBe('Some_Key-1.x@y');
  });

  it('splits on any whitespace, including tabs, newlines and unicode spaces', () => {
    const q = parseSearch('a:1\tb:2\nc:3\u00a0d:4\u3000e');
    expect(q.terms.map((t) => t.raw)).toEqual(['a:1', 'b:2', 'c:3', 'd:4', 'e']);
  });

  it('negation with !', () => {
    expect(filter('!level:error')).toMatchObject({ negated: true, key: 'level', start: 0, keyStart: 1, raw: '!level:error' });
    expect(text('!timeout')).toMatchObject({ negated: true, value: 'timeout', raw: '!timeout' });
    expect(text('!"conn reset"')).toMatchObject({ negated: true, value: 'conn reset', quoted: true });
  });

  it('values may contain colons, brackets and parentheses', () => {
    expect(filter('url:http://x.y/a?b=c').values[0]!.value).toBe('http://x.y/a?b=c');
    expect(filter('title:foo(bar)[0]').values[0]!.value).toBe('foo(bar)[0]');
    expect(filter('key::x').values[0]!.value).toBe(':x');
  });

  it('a key followed by nothing gives an empty value (rejected later by resolveSearch)', () => {
    const t = filter('TypeError: foo');
    expect(t.values).toEqual([{ value: '', raw: '', quoted: false, wildcard: false, escapedStar: false, start: 10, end: 10 }]);
    expect(text('TypeError: foo', 1).value).toBe('foo');
  });

  it('tokens that are not key:value are free text', () => {
    expect(parseSearch('a/b:c :x ключ:значение -foo').terms.map((t) => t.type)).toEqual(['text', 'text', 'text', 'text']);
    expect(text('foo()').value).toBe('foo()');
    expect(text('and or').value).toBe('and');
  });
});

describe('parseSearch: quoting and escaping', () => {
  it('quoted values with \\" and \\\\ escapes', () => {
    const t = filter('message:"a b \\"c\\""');
    expect(t.values[0]).toMatchObject({ value: 'a b "c"', quoted: true, raw: '"a b \\"c\\""', start: 8 });
    expect(filter('p:"C:\\\\dir\\\\"').values[0]!.value).toBe('C:\\dir\\');
  });

  it('other backslashes are literal', () => {
    expect(filter('p:"C:\\Users\\n"').values[0]!.value).toBe('C:\\Users\\n');
    expect(filter('p:C:\\Users').values[0]!.value).toBe('C:\\Users');
    expect(text('a\\b').value).toBe('a\\b');
  });

  it('quoted free text', () => {
    expect(text('"connection reset by peer"')).toMatchObject({ value: 'connection reset by peer', quoted: true });
    expect(text('"a \\"b\\""').value).toBe('a "b"');
  });

  it('quoteSearchValue round-trips arbitrary strings as literal values and text', () => {
    const samples = ['', 'plain', 'a b', '"', '\\', '\\"', '*', 'a*b\\*', "'; DROP TABLE issues; --", '%_', '💥 ünïcödé', '[a, b]', 'AND', '(x)', '!x', '>5', 'key:value', '\t\n'];
    for (const s of samples) {
      const v = filter(`k:${quoteSearchValue(s)}`).values[0]!;
      expect(v.value).toBe(s);
      expect(v.wildcard).toBe(false);
      if (s !== '') expect(text(`${quoteSearchValue(s)}`).value).toBe(s);
    }
  });
});

describe('parseSearch: lists', () => {
  it('key:[a, b, "c d"]', () => {
    const t = filter('key:[a, b, "c d"]');
    expect(t.list).toBe(true);
    expect(t.values.map((v) => v.value)).toEqual(['a', 'b', 'c d']);
    expect(t.values.map((v) => v.start)).toEqual([5, 8, 11]);
    expect(t).toMatchObject({ start: 0, end: 17, raw: 'key:[a, b, "c d"]' });
  });

  it('whitespace around items and a negated list', () => {
    const t = filter('!key:[ a ,b ] next');
    expect(t.negated).toBe(true);
    expect(t.values.map((v) => v.value)).toEqual(['a', 'b']);
    expect(text('!key:[ a ,b ] next', 1).value).toBe('next');
  });

  it('list errors', () => {
    expect(syntaxError('key:[]')).toMatchObject({ position: 4, message: 'Empty list for "key" at position 4: []' });
    expect(syntaxError('key:[a,,b]')).toMatchObject({ position: 7, message: 'Empty list item for "key" at position 7: ,' });
    expect(syntaxError('key:[a,]').position).toBe(7);
    expect(syntaxError('key:[a, b')).toMatchObject({ position: 4, message: 'Unterminated list for "key" (missing "]") at position 4: key:[a, b' });
    expect(syntaxError('key:[a b]').message).toBe('Expected "," or "]" in list for "key" at position 7: b]');
    expect(syntaxError('key:[a]b').message).toBe('Unexpected text after list (separate terms with a space) at position 7: b');
    expect(syntaxError('key:[a[b]').position).toBe(6);
    expect(syntaxError('key:>[1,2]').message).toContain('cannot be combined with a list');
  });

  it(`caps list items at ${MAX_LIST_ITEMS}`, () => {
    const ok = `k:[${Array.from({ length: MAX_LIST_ITEMS }, (_, i) => i).join(',')}]`;
    expect(filter(ok).values).toHaveLength(MAX_LIST_ITEMS);
    const tooMany = `k:[${Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => i).join(',')}]`;
    const e = syntaxError(tooMany);
    expect(e.message).toMatch(/^Too many list items for "k" \(the maximum is 100\) at position \d+: 100\]$/);
    expect(e.position).toBe(tooMany.lastIndexOf('100'));
  });
});

describe('parseSearch: comparisons and odd operators', () => {
  it.each([
    ['times_seen:>100', '>', '100'],
    ['times_seen:>=100', '>=', '100'],
    ['times_seen:<5', '<', '5'],
    ['times_seen:<=5', '<=', '5'],
    ['lastSeen:<"2024-01-01"', '<', '2024-01-01'],
  ])('%s', (q, op, value) => {
    const t = filter(q);
    expect(t.op).toBe(op);
    expect(t.values[0]!.value).toBe(value);
  });

  it('rejects odd operators with a hint', () => {
    expect(syntaxError('key:!=x')).toMatchObject({
      position: 4,
      message: '"key:!=value" is not supported: negate with "!key:value" (quote the value to search for a leading "!") at position 4: key:!=x',
    });
    expect(syntaxError('key:!x').message).toContain('"key:!value" is not supported: negate with "!key:value"');
    expect(syntaxError('key:=x').message).toBe('Unsupported operator "=" for "key": write key:value for equality at position 4: key:=x');
    expect(syntaxError('key:==x').position).toBe(4);
    expect(syntaxError('key:>>1').message).toBe('Invalid operator ">>" for "key" (use >, >=, < or <=) at position 4: >>');
    expect(syntaxError('key:<>1').message).toContain('Invalid operator "<>"');
    expect(syntaxError('key:>=<1').message).toContain('Invalid operator ">=<"');
    expect(syntaxError('key:>!1').message).toContain('Invalid operator ">!"');
    expect(syntaxError('key:> 5')).toMatchObject({ position: 4, message: 'Missing value after ">" for "key" at position 4: key:>' });
  });

  it('a literal leading !, >, = can be searched by quoting', () => {
    expect(filter('key:"!x"').values[0]!.value).toBe('!x');
    expect(filter('key:">x"')).toMatchObject({ op: null });
    expect(filter('key:"=x"').values[0]!.value).toBe('=x');
  });
});

describe('parseSearch: wildcards', () => {
  it('marks unescaped * as wildcard', () => {
    expect(filter('key:foo*').values[0]).toMatchObject({ value: 'foo*', wildcard: true, escapedStar: false });
    expect(filter('key:"*a b*"').values[0]).toMatchObject({ value: '*a b*', wildcard: true });
    expect(filter('key:[a*, b]').values.map((v) => v.wildcard)).toEqual([true, false]);
  });

  it('\\* is a literal star', () => {
    expect(filter('key:a\\*b').values[0]).toMatchObject({ value: 'a*b', wildcard: false, escapedStar: true });
    expect(filter('key:"a\\*b"').values[0]).toMatchObject({ value: 'a*b', wildcard: false, escapedStar: true });
    expect(filter('key:"a\\\\*"').values[0]).toMatchObject({ value: 'a\\*', wildcard: true, escapedStar: false });
  });

  it('free text never has wildcards', () => {
    expect(text('SELECT * FROM').value).toBe('SELECT');
    expect(text('"SELECT * FROM"').value).toBe('SELECT * FROM');
  });
});

describe('parseSearch: bracketed tag keys', () => {
  it('tags[some key]:value', () => {
    const t = filter('tags[some key]:v');
    expect(t).toMatchObject({ key: 'some key', explicitTag: true, keyStart: 0, keyEnd: 14, raw: 'tags[some key]:v' });
    expect(filter('!tags[level]:[a,b]')).toMatchObject({ key: 'level', explicitTag: true, negated: true, list: true });
    expect(filter('tags[ spaced ]:v').key).toBe('spaced');
  });

  it('tags["quoted ] key"]:value', () => {
    expect(filter('tags["a ] b"]:v').key).toBe('a ] b');
  });

  it('plain "tags" is an ordinary key', () => {
    expect(filter('tags:x')).toMatchObject({ key: 'tags', explicitTag: false });
  });

  it('errors', () => {
    expect(syntaxError('tags[a b')).toMatchObject({ position: 0, message: 'Unterminated tag key (missing "]") at position 0: tags[a b' });
    expect(syntaxError('tags[]:x').message).toBe('Empty tag key at position 0: tags[]');
    expect(syntaxError('tags[a]').message).toBe('Expected ":" after tag key (quote the text to search for it literally) at position 7: tags[a]');
    expect(syntaxError('tags[a]x').position).toBe(7);
    expect(syntaxError('tags["a"b]:x').message).toContain('Expected "]" after quoted tag key');
    expect(syntaxError('tags[a"b]:x').position).toBe(6);
  });
});

describe('parseSearch: syntax errors with positions', () => {
  it('unterminated quote points at the opening quote', () => {
    const e = syntaxError('is:resolved "foo');
    expect(e).toMatchObject({ position: 12, token: '"foo', message: 'Unterminated quote at position 12: "foo' });
    expect(syntaxError('message:"foo').position).toBe(8);
    expect(syntaxError('message:"foo\\"').position).toBe(8);
    expect(syntaxError('tags["foo').position).toBe(5);
  });

  it('text glued to a closing quote', () => {
    expect(syntaxError('"foo"bar')).toMatchObject({ position: 5, message: 'Unexpected text after closing quote (separate terms with a space) at position 5: bar' });
    expect(syntaxError('key:"a"b').position).toBe(7);
  });

  it('stray quotes inside unquoted tokens', () => {
    expect(syntaxError('foo"bar"')).toMatchObject({ position: 3, message: 'Unexpected quote inside a word (quote the whole phrase instead) at position 3: "bar"' });
    expect(syntaxError('key:a"b c"').position).toBe(5);
  });

  it('dangling and double negation', () => {
    expect(syntaxError('foo !')).toMatchObject({ position: 4, message: 'Expected a search term after "!" at position 4: !' });
    expect(syntaxError('! foo').position).toBe(0);
    expect(syntaxError('!!foo').message).toBe('Double negation is not supported at position 0: !!foo');
  });

  it('AND / OR are rejected, lower-case and quoted forms are text', () => {
    expect(syntaxError('a AND b')).toMatchObject({ position: 2, token: 'AND' });
    expect(syntaxError('a AND b').message).toMatch(/^Boolean operator "AND" is not supported: terms are always combined with AND/);
    expect(syntaxError('a OR b').position).toBe(2);
    expect(text('"AND"').value).toBe('AND');
    expect(parseSearch('a and b or c ANDROID ORACLE').terms).toHaveLength(7);
  });

  it('parentheses are rejected', () => {
    expect(syntaxError('(is:resolved OR is:ignored)')).toMatchObject({ position: 0, token: '(is:resolved' });
    expect(syntaxError('a (b').position).toBe(2);
    expect(syntaxError('a )').position).toBe(2);
    expect(syntaxError('!(a)').position).toBe(1);
    expect(syntaxError('(a').message).toContain('Parentheses are not supported');
  });

  it('rejects NUL and unpaired surrogates', () => {
    expect(syntaxError('foo\u0000bar')).toMatchObject({ position: 3, message: 'NUL characters are not allowed in a search at position 3: \\u0000' });
    expect(syntaxError('key:"a\ud800"').position).toBe(6);
    expect(syntaxError('a\udc00').position).toBe(1);
    expect(text('😀').value).toBe('😀');
  });

  it('control characters in messages are escaped and long tokens truncated', () => {
    const e = syntaxError(`"\u001b[31m${'x'.repeat(100)}`);
    expect(e.message).toBe(`Unterminated quote at position 0: "\\u001b[31m${'x'.repeat(34)}…`);
    expect(e.token.length).toBe(106);
  });

  it('error.name and prototype', () => {
    const e = syntaxError('"');
    expect(e.name).toBe('SearchSyntaxError');
    expect(e).toBeInstanceOf(Error);
  });
});

describe('parseSearch: bounds', () => {
  it(`rejects queries longer than ${MAX_QUERY_LENGTH} characters`, () => {
    expect(parseSearch('x'.repeat(MAX_QUERY_LENGTH)).terms).toHaveLength(1);
    const e = syntaxError('x'.repeat(MAX_QUERY_LENGTH + 1));
    expect(e).toMatchObject({ position: MAX_QUERY_LENGTH, message: `Search query is too long (2001 characters, the maximum is 2000) at position 2000` });
  });

  it(`rejects more than ${MAX_TERMS} terms`, () => {
    expect(parseSearch(Array.from({ length: MAX_TERMS }, (_, i) => `t${i}`).join(' ')).terms).toHaveLength(MAX_TERMS);
    const q = Array.from({ length: MAX_TERMS + 1 }, (_, i) => `t${i}`).join(' ');
    expect(syntaxError(q)).toMatchObject({ position: q.lastIndexOf('t50'), message: `Too many search terms (the maximum is 50) at position ${q.lastIndexOf('t50')}: t50` });
  });

  it('rejects keys longer than 200 characters', () => {
    expect(syntaxError(`${'k'.repeat(201)}:v`).message).toMatch(/^Search key is too long/);
    expect(filter(`${'k'.repeat(200)}:v`).key).toHaveLength(200);
  });

  it('pathological inputs parse (or fail) quickly', () => {
    const inputs = [
      '"'.repeat(MAX_QUERY_LENGTH),
      '\\'.repeat(MAX_QUERY_LENGTH),
      '"' + '\\"'.repeat(999),
      'k:[' + 'a,'.repeat(99),
      'tags[' + 'a'.repeat(1990),
      'a:'.repeat(1000),
      '!'.repeat(MAX_QUERY_LENGTH),
      'k:' + '*'.repeat(1998),
      'k:' + '>'.repeat(1998),
      ' '.repeat(MAX_QUERY_LENGTH),
      'a '.repeat(1000),
      'k'.repeat(1999) + ':',
    ];
    for (const input of inputs) {
      const t0 = performance.now();
      try {
        parseSearch(input);
      } catch (e) {
        expect(e).toBeInstanceOf(SearchSyntaxError);
      }
      expect(performance.now() - t0).toBeLessThan(50);
    }
  });
});
