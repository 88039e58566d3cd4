// The SDK's DSN parsing (protocol §1.1) and the endpoint it derives (query-string auth, §1.3).
import { describe, expect, it } from 'vitest';
import { envelopeUrl, parseDsn } from '../../sdk/src/dsn.ts';
import { loadFixture } from '../helpers/fixtures.ts';

describe('parseDsn', () => {
  it('reads key, host, port and project id', () => {
    expect(parseDsn('http://1c8d0b6e3f6a4c1e9f2a7d5b8e4c3a21@localhost:8000/1')).toEqual({
      protocol: 'http',
      publicKey: '1c8d0b6e3f6a4c1e9f2a7d5b8e4c3a21',
      secretKey: undefined,
      host: 'localhost:8000',
      path: '',
      projectId: '1',
    });
  });

  it('keeps a path prefix before the project id', () => {
    const d = parseDsn('https://key@errors.example.com/sentry/sub/42')!;
    expect(d).toMatchObject({ protocol: 'https', host: 'errors.example.com', path: '/sentry/sub', projectId: '42' });
    expect(envelopeUrl(d, 'x/1')).toBe('https://errors.example.com/sentry/sub/api/42/envelope/?sentry_version=7&sentry_key=key&sentry_client=x%2F1');
  });

  it('accepts (and never sends) a deprecated secret key', () => {
    const d = parseDsn('https://public:secret@o1.ingest.example.com/5')!;
    expect(d.publicKey).toBe('public');
    expect(d.secretKey).toBe('secret');
    expect(envelopeUrl(d, 'c/1')).not.toContain('secret');
  });

  it('handles IPv6 hosts and trims whitespace', () => {
    expect(parseDsn('  http://k@[::1]:9000/3 \n')).toMatchObject({ host: '[::1]:9000', projectId: '3', path: '' });
  });

  it.each([
    ['no key', 'http://localhost:8000/1'],
    ['no project id', 'http://k@localhost:8000/'],
    ['no path at all', 'http://k@localhost:8000'],
    ['another scheme', 'ftp://k@host/1'],
    ['a query string', 'http://k@host/1?x=1'],
    ['garbage', 'not a dsn'],
    ['empty', ''],
  ])('rejects %s', (_what, dsn) => {
    expect(parseDsn(dsn)).toBeNull();
  });

  it('rejects non-strings without throwing', () => {
    for (const v of [undefined, null, 42, {}, []]) expect(parseDsn(v)).toBeNull();
  });
});

describe('envelopeUrl', () => {
  it('has the shape @sentry/node and @sentry/browser use (recorded fixtures)', () => {
    const d = parseDsn('http://a11ce5ea5e5e4a6b9a0c0ffee0ddba11@127.0.0.1:9477/1')!;
    const ours = new URL(envelopeUrl(d, 'faultline.javascript.node/0.1.0'));
    for (const client of ['node', 'browser']) {
      const theirs = new URL(loadFixture(`${client}/exception.json`).url, 'http://127.0.0.1:9477');
      expect(ours.pathname).toBe(theirs.pathname);
      expect([...ours.searchParams.keys()]).toEqual([...theirs.searchParams.keys()]);
      expect(ours.searchParams.get('sentry_key')).toBe(theirs.searchParams.get('sentry_key'));
      expect(ours.searchParams.get('sentry_version')).toBe('7');
    }
    expect(ours.searchParams.get('sentry_client')).toBe('faultline.javascript.node/0.1.0');
  });
});
