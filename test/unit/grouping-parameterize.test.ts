import { describe, expect, it } from 'vitest';
import { parameterize } from '../../server/pipeline/grouping/index.ts';
import { replaceVariables, trimToTwoLines } from '../../server/pipeline/grouping/parameterize.ts';

describe('parameterize (protocol §6.6)', () => {
  it.each([
    ['Order 12345 failed for bob@x.io', 'Order <int> failed for <email>'],
    ['timeout after 3000ms', 'timeout after <duration>'],
    ['took 1.5s', 'took <duration>'],
    ['visit https://example.com/foo?x=1 now', 'visit <url> now'],
    ['host api.example.com down', 'host <hostname> down'],
    ['connect to 10.0.0.1:5432 failed', 'connect to <ip>:<int> failed'],
    ['bind [2001:db8::1] failed', 'bind [<ip>] failed'],
    ['Foo::bar called', 'Foo::bar called'],
    ['trace 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'trace <traceparent>'],
    ['id 550e8400-e29b-41d4-a716-446655440000', 'id <uuid>'],
    ['commit da39a3ee5e6b4b0d3255bfef95601890afd80709', 'commit <sha1>'],
    ['etag d41d8cd98f00b204e9800998ecf8427e', 'etag <md5>'],
    ['at 2024-05-01T12:00:00.123Z', 'at <date>'],
    ['since 2024-05-01 12:00:05', 'since <date>'],
    ['Mon Jan 02 2006 15:04:05 GMT+0100 (CET)', '<date>'],
    ['at 3:45 PM', 'at <date>'],
    ['datetime.datetime(2020, 1, 1, 0, 0)', '<date>'],
    ['ptr 0xDEADBEEF', 'ptr <hex>'],
    ['token deadbeef12', 'token <hex>'],
    ['12345678', '<hex>'],
    ['sha abc1234 ok', 'sha <git_sha> ok'],
    ['ratio -0.25 and 3.5', 'ratio <float> and <float>'],
    ['offset -3 and user-42', 'offset <int> and user-<int>'],
    ["key='abc' flag=true name=\"a b\"", 'key=<quoted_str> flag=<bool> name=<quoted_str>'],
    ["said 'hello' and true", "said 'hello' and true"],
    ["'user_42'", "'user_42'"],
    ["'user 42'", "'user <int>'"],
    ['tx0123456789abcdef01234-0123456789 failed', '<swift_txn_id> failed'],
  ])('%s', (input, want) => {
    expect(parameterize(input)).toBe(want);
  });

  it('keeps the first two non-blank lines and marks the cut', () => {
    expect(trimToTwoLines('one')).toBe('one');
    expect(trimToTwoLines('one\n\n  \ntwo\nthree')).toBe('one\ntwo...');
    expect(trimToTwoLines('one\r\ntwo')).toBe('one\ntwo...');
    expect(trimToTwoLines('one\n')).toBe('one...');
    expect(trimToTwoLines('   ')).toBe('...');
    expect(parameterize('Error 1\nat line 2\nat line 3')).toBe('Error <int>\nat line <int>...');
  });

  it('stays linear on hostile input (no ReDoS)', () => {
    const hostile = [
      'a'.repeat(200_000), 'a.'.repeat(100_000), '1'.repeat(200_000), '-1'.repeat(100_000), `0x${'a'.repeat(200_000)}g`,
      'a-'.repeat(100_000), '="a '.repeat(50_000), 'datetime.datetime('.repeat(10_000), '1.'.repeat(100_000),
      ':'.repeat(200_000), 'f:'.repeat(100_000), '2020-01-01T10:10:10.'.repeat(10_000), ' Jan'.repeat(50_000),
      `${'x'.repeat(100_000)}@`, 'a@a'.repeat(60_000), '1-'.repeat(100_000), '='.repeat(200_000),
    ];
    for (const text of hostile) {
      const t = performance.now();
      replaceVariables(text);
      // Quadratic behaviour would take minutes here; linear is well under a second even on a busy CI box.
      expect(performance.now() - t, text.slice(0, 20)).toBeLessThan(2000);
    }
  });
});
