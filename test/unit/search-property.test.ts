import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIssueSearch } from '../../server/search/issues.ts';
import { SearchSyntaxError } from '../../server/search/errors.ts';
import { parseSearch } from '../../server/search/parse.ts';
import { quoteSearchValue } from '../../server/search/parse-scan.ts';
import { MAX_LIST_ITEMS, MAX_QUERY_LENGTH, MAX_TERMS, type ParsedQuery } from '../../server/search/parse-terms.ts';

const NOW = new Date('2024-06-15T12:00:00.000Z');

/** Characters that matter to the grammar, plus troublemakers. */
const SYNTAX_CHARS = [' ', '\t', '\n', '!', '"', '\\', ':', '[', ']', ',', '*', '>', '<', '=', '(', ')', '-', '+', '#', '@', '.', '_', '%', "'", ';', '\u0000', '\ud800', '\udc00', '😀', '\u00a0', 'é'];
const FRAGMENTS = [
  'is:', 'level:', 'has:', 'tags[', 'tags[a b]:', 'firstSeen:', 'lastSeen:', 'times_seen:', 'assigned:', 'age:', 'AND', 'OR',
  '-24h', '+7d', '2024-01-01', '2024-01-01T12:00:00Z', '>=', '<=', 'unresolved', 'archived', 'error', 'me', '#team', 'a@b.c',
  '"', '\\"', '\\\\', '\\*', '[a, b]', '[', ']', ',', ' ', '!', '*', 'foo', "'; DROP TABLE issues; --", '1k', '5',
];

const syntaxChar = fc.constantFrom(...SYNTAX_CHARS);
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const asciiChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** Random strings biased towards the grammar's special characters. */
const chaoticQuery = fc.oneof(
  fc.string({ unit: fc.oneof(syntaxChar, asciiChar, anyCodeUnit), maxLength: 200 }),
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: fc.oneof(syntaxChar, asciiChar), maxLength: 6 })), { maxLength: 80 }).map((a) => a.join('')),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 120 }).map((a) => a.join(' ')),
);

function checkStructure(input: string, q: ParsedQuery): void {
  expect(q.input).toBe(input);
  expect(q.terms.length).toBeLessThanOrEqual(MAX_TERMS);
  let prevEnd = 0;
  for (const t of q.terms) {
    expect(t.start).toBeGreaterThanOrEqual(prevEnd);
    expect(t.end).toBeGreaterThan(t.start);
    expect(input.slice(t.start, t.end)).toBe(t.raw);
    prevEnd = t.end;
    if (t.type === 'filter') {
      expect(t.values.length).toBeGreaterThanOrEqual(1);
      expect(t.values.length).toBeLessThanOrEqual(MAX_LIST_ITEMS);
      if (!t.list) expect(t.values).toHaveLength(1);
      expect(t.keyStart).toBeGreaterThanOrEqual(t.start);
      for (const v of t.values) {
        expect(v.start).toBeGreaterThan(t.keyEnd);
        expect(v.end).toBeLessThanOrEqual(t.end);
        expect(input.slice(v.start, v.end)).toBe(v.raw);
      }
    }
  }
}

function checkError(input: string, e: unknown): void {
  expect(e).toBeInstanceOf(SearchSyntaxError);
  const err = e as SearchSyntaxError;
  expect(Number.isInteger(err.position)).toBe(true);
  expect(err.position).toBeGreaterThanOrEqual(0);
  expect(err.position).toBeLessThanOrEqual(Math.max(input.length, 0));
  expect(err.message).toContain(`position ${err.position}`);
  expect(err.token.length).toBeLessThanOrEqual(200);
  // Messages are safe to log/display: no raw control characters.
  // eslint-disable-next-line no-control-regex
  expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/);
}

describe('search parser properties', () => {
  it('parseSearch only ever returns a well-formed query or throws SearchSyntaxError', () => {
    fc.assert(
      fc.property(chaoticQuery, (input) => {
        let q: ParsedQuery;
        try {
          q = parseSearch(input);
        } catch (e) {
          checkError(input, e);
          return;
        }
        checkStructure(input, q);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseIssueSearch only ever returns plain data or throws SearchSyntaxError', () => {
    fc.assert(
      fc.property(chaoticQuery, (input) => {
        try {
          const terms = parseIssueSearch(input, NOW);
          expect(terms.length).toBeLessThanOrEqual(MAX_TERMS);
          for (const t of terms) {
            for (const v of Object.values(t)) {
              if (v instanceof Date) expect(Number.isNaN(v.getTime())).toBe(false);
              if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
            }
          }
        } catch (e) {
          checkError(input, e);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('is bounded: any input up to and beyond the length cap is handled quickly', () => {
    const big = fc.oneof(
      fc.string({ unit: fc.oneof(syntaxChar, asciiChar), minLength: 1500, maxLength: MAX_QUERY_LENGTH + 50 }),
      fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 300, maxLength: 600 }).map((a) => a.join('')),
    );
    let worst = 0;
    fc.assert(
      fc.property(big, (input) => {
        const t0 = performance.now();
        try {
          parseIssueSearch(input, NOW);
        } catch (e) {
          checkError(input, e);
        }
        worst = Math.max(worst, performance.now() - t0);
      }),
      { numRuns: 300 },
    );
    expect(worst).toBeLessThan(100);
  });

  it('quoteSearchValue round-trips any valid string as a literal value and as text', () => {
    const valid = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(valid, (s) => {
        const [f] = parseSearch(`k:${quoteSearchValue(s)}`).terms;
        expect(f).toMatchObject({ type: 'filter', key: 'k' });
        if (f?.type === 'filter') expect(f.values[0]).toMatchObject({ value: s, wildcard: false, quoted: true });
        expect(parseSearch(`!${quoteSearchValue(s)}`).terms[0]).toMatchObject({ type: 'text', value: s, negated: true });
      }),
      { numRuns: 1000 },
    );
  });

  it('serialized structured queries parse back to the same terms', () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,12}$/).filter((k) => k !== 'tags');
    const value = fc.string({ unit: fc.oneof(asciiChar, fc.constantFrom('é', '😀', '\t')), minLength: 1, maxLength: 12 });
    const term = fc.record({
      negated: fc.boolean(),
      key,
      op: fc.constantFrom(null, '>', '>=', '<', '<='),
      values: fc.array(value, { minLength: 1, maxLength: 5 }),
      list: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 10 }), (terms) => {
        const normalized = terms.map((t) => ({ ...t, list: t.op === null && t.list, values: t.op === null && t.list ? t.values : t.values.slice(0, 1) }));
        const query = normalized
          .map((t) => {
            const vals = t.values.map(quoteSearchValue);
            return `${t.negated ? '!' : ''}${t.key}:${t.op ?? ''}${t.list ? `[${vals.join(', ')}]` : vals[0]}`;
          })
          .join(' ');
        const parsed = parseSearch(query);
        expect(parsed.terms.map((t) => (t.type === 'filter' ? { negated: t.negated, key: t.key, op: t.op, values: t.values.map((v) => v.value), list: t.list } : t))).toEqual(normalized);
      }),
      { numRuns: 1000 },
    );
  });
});
