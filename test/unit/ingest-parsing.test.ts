// The protocol edge's pure parts: envelope framing (protocol §3.1), auth sources (§1.3), body
// decoding (§2.1, §2.2).
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { authFromRequest, parseDsn, withEnvelopeDsn } from '../../server/ingest/auth.ts';
import { decodeBody, parseContentEncoding } from '../../server/ingest/decode.ts';
import { parseEnvelope, serializeEnvelope } from '../../server/ingest/envelope.ts';
import { IngestError } from '../../server/ingest/errors.ts';
import { decodeStoreBody, normalizeEventId, parseEventJson, replaceNonFiniteTokens } from '../../server/ingest/payload.ts';

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof IngestError) return err.reason;
    throw err;
  }
  return null;
};
const asyncReason = async (p: Promise<unknown>) => p.then(() => null, (err) => (err instanceof IngestError ? err.reason : Promise.reject(err)));

describe('envelope framing', () => {
  it('reads items with and without length, with or without a trailing newline', () => {
    const bin = Buffer.from([0x00, 0x0a, 0xff, 0x0a]);
    const bytes = Buffer.concat([
      Buffer.from('{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"a":1}\n{"type":"attachment","length":4}\n'),
      bin,
      Buffer.from('\n{"type":"session"}\n{"b":2}'),
    ]);
    const env = parseEnvelope(bytes);
    expect(env.header.event_id).toBe('9ec79c33ec9942ab8353589fcb2e04dc');
    expect(env.items.map((i) => i.header.type)).toEqual(['event', 'attachment', 'session']);
    expect(env.items[1].payload.equals(bin)).toBe(true);
    expect(env.items[2].payload.toString()).toBe('{"b":2}');
  });

  it('accepts an empty envelope, a zero-length item and trailing blank lines', () => {
    expect(parseEnvelope(Buffer.from('{}')).items).toEqual([]);
    const env = parseEnvelope(Buffer.from('{}\n{"type":"client_report","length":0}\n\n\n  \n'));
    expect(env.items).toHaveLength(1);
    expect(env.items[0].payload.length).toBe(0);
  });

  it('counts length in bytes, not characters', () => {
    const payload = '{"m":"ü€😀"}';
    const env = parseEnvelope(serializeEnvelope({}, [{ header: { type: 'event' }, payload }]));
    expect(env.items[0].payload.toString()).toBe(payload);
  });

  it('rejects broken framing with a reason', () => {
    expect(reason(() => parseEnvelope(Buffer.from('not json\n')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.from('[]\n')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.from('{}\n{"length":2}\n{}')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.from('{}\n{"type":"event","length":10}\n{}')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.from('{}\n{"type":"event","length":2}\n{} x')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.from('{}\n{"type":"event","length":-1}\n{}')))).toBe('invalid_envelope');
    expect(reason(() => parseEnvelope(Buffer.alloc(0)))).toBe('empty_body');
  });
});

describe('auth sources', () => {
  const q = (s = '') => new URLSearchParams(s);
  it('reads X-Sentry-Auth, Authorization: Sentry, Basic and the query string', () => {
    expect(authFromRequest({ xSentryAuth: 'Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.python/1.9.10', query: q() })).toEqual({
      publicKey: 'abc',
      version: 7,
      client: 'sentry.python/1.9.10',
    });
    expect(authFromRequest({ authorization: 'sentry sentry_version=5,sentry_key=k1 ,sentry_secret=s', query: q() })?.publicKey).toBe('k1');
    expect(authFromRequest({ authorization: `Basic ${Buffer.from('k2:').toString('base64')}`, query: q() })?.publicKey).toBe('k2');
    expect(authFromRequest({ query: q('sentry_key=k3&sentry_version=7&sentry_client=sentry.javascript.browser%2F11.0.0') })).toEqual({
      publicKey: 'k3',
      version: 7,
      client: 'sentry.javascript.browser/11.0.0',
    });
    expect(authFromRequest({ xSentryAuth: 'Sentry sentry_key=abc.no-cache', query: q() })?.publicKey).toBe('abc');
    expect(authFromRequest({ query: q() })).toBeNull();
  });

  it('accepts agreeing sources and rejects conflicting ones', () => {
    expect(authFromRequest({ xSentryAuth: 'Sentry sentry_key=a', query: q('sentry_key=a') })?.publicKey).toBe('a');
    expect(reason(() => authFromRequest({ xSentryAuth: 'Sentry sentry_key=a', query: q('sentry_key=b') }))).toBe('multiple_auth');
    expect(reason(() => withEnvelopeDsn({ publicKey: 'a', version: 7, client: null }, 'https://b@host/1'))).toBe('multiple_auth');
    expect(withEnvelopeDsn(null, 'https://a@host/prefix/1')?.publicKey).toBe('a');
  });

  it('takes the old versions legacy clients send (raven-go and SharpRaven 4, raven-ruby 5), as Relay does', () => {
    for (const v of ['1', '2.0', '4', '5', '7', '8']) expect(authFromRequest({ xSentryAuth: `Sentry sentry_key=a, sentry_version=${v}`, query: q() })?.version).toBe(Number(v));
  });

  it('rejects unsupported versions and malformed headers', () => {
    expect(reason(() => authFromRequest({ xSentryAuth: 'Sentry sentry_key=a, sentry_version=9', query: q() }))).toBe('unsupported_version');
    expect(reason(() => authFromRequest({ xSentryAuth: 'Sentry sentry_key=a, sentry_version=0', query: q() }))).toBe('unsupported_version');
    expect(reason(() => authFromRequest({ query: q('sentry_key=a&sentry_version=abc') }))).toBe('unsupported_version');
    expect(reason(() => authFromRequest({ xSentryAuth: 'Bearer x', query: q() }))).toBe('invalid_auth');
    expect(reason(() => authFromRequest({ xSentryAuth: 'Sentry sentry_version=7', query: q() }))).toBe('invalid_auth');
  });

  it('parses DSNs with a path prefix', () => {
    expect(parseDsn('https://k@h.example/sentry/42')).toEqual({ publicKey: 'k', projectId: '42' });
    expect(parseDsn('nonsense')).toBeNull();
  });
});

describe('body decoding', () => {
  const json = Buffer.from('{"message":"hello"}');
  it('undoes gzip, x-gzip, deflate (zlib and raw), br and zstd', async () => {
    expect((await decodeBody(zlib.gzipSync(json), 'gzip', 1e6)).equals(json)).toBe(true);
    expect((await decodeBody(zlib.gzipSync(json), ' X-GZIP ', 1e6)).equals(json)).toBe(true);
    expect((await decodeBody(zlib.deflateSync(json), 'deflate', 1e6)).equals(json)).toBe(true);
    expect((await decodeBody(zlib.deflateRawSync(json), 'deflate', 1e6)).equals(json)).toBe(true);
    expect((await decodeBody(zlib.brotliCompressSync(json), 'br', 1e6)).equals(json)).toBe(true);
    // zstd frame of '{"message":"hello"}' made by the zstd CLI (level 3).
    const zst = Buffer.from('KLUv/QRYmQAAeyJtZXNzYWdlIjoiaGVsbG8iffl9bw4=', 'base64');
    expect((await decodeBody(zst, 'zstd', 1e6)).toString()).toBe('{"message":"hello"}');
  });

  it('ignores empty, UTF-8 and identity encodings', async () => {
    expect(parseContentEncoding('')).toEqual([]);
    expect(parseContentEncoding('UTF-8')).toEqual([]);
    expect(parseContentEncoding('identity')).toEqual([]);
    expect((await decodeBody(json, '', 1e6)).equals(json)).toBe(true);
  });

  it('stops decompression bombs at the cap and rejects broken streams', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(await asyncReason(decodeBody(bomb, 'gzip', 1024 * 1024))).toBe('decoded_too_large');
    expect(await asyncReason(decodeBody(zlib.brotliCompressSync(Buffer.alloc(5e6)), 'br', 1e6))).toBe('decoded_too_large');
    expect(await asyncReason(decodeBody(Buffer.from('definitely not gzip'), 'gzip', 1e6))).toBe('invalid_compression');
    expect(await asyncReason(decodeBody(Buffer.from('nope'), 'zstd', 1e6))).toBe('invalid_compression');
  });

  it('reads legacy store bodies: JSON, base64 JSON, base64 + zlib', async () => {
    expect(await decodeStoreBody(json, 1e6)).toBe(json.toString());
    expect(await decodeStoreBody(Buffer.from(json.toString('base64')), 1e6)).toBe(json.toString());
    expect(await decodeStoreBody(Buffer.from(zlib.deflateSync(json).toString('base64')), 1e6)).toBe(json.toString());
    expect(await asyncReason(decodeStoreBody(Buffer.from('   '), 1e6))).toBe('empty_body');
    expect(await asyncReason(decodeStoreBody(Buffer.from('<html>'), 1e6))).toBe('invalid_json');
  });
});

describe('event payloads', () => {
  it('replaces NaN and Infinity outside strings only', () => {
    expect(replaceNonFiniteTokens('{"a":NaN,"b":-Infinity,"c":"NaN Infinity","d":[Infinity]}')).toBe('{"a":null,"b":null,"c":"NaN Infinity","d":[null]}');
    expect(parseEventJson('{"extra":{"x":NaN}}').event).toEqual({ extra: { x: null } });
  });

  it('rejects what is not a JSON object', () => {
    expect(reason(() => parseEventJson('{"a":'))).toBe('invalid_json');
    expect(reason(() => parseEventJson('[1,2]'))).toBe('invalid_event');
    expect(reason(() => parseEventJson('null'))).toBe('invalid_event');
  });

  it('normalizes event ids', () => {
    expect(normalizeEventId('9EC79C33-EC99-42AB-8353-589FCB2E04DC')).toBe('9ec79c33ec9942ab8353589fcb2e04dc');
    expect(normalizeEventId('xyz')).toBeNull();
    expect(normalizeEventId(42)).toBeNull();
  });
});
