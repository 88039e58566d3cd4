// DATABASE_URL as libpq reads it (server/db/url.ts): the Unix-socket forms that postgres.js alone
// refuses become a URL it parses plus host and port options; every other URL passes unchanged.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { postgresTarget } from '../../server/db/url.ts';

describe('postgresTarget', () => {
  it('leaves TCP URLs as they are, query parameters included', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgresql://u:p%40ss@db.internal/faultline?sslmode=require', 'postgres://u@h/db?application_name=x']) {
      expect(postgresTarget(url)).toEqual({ url });
    }
  });

  it("takes libpq's host parameter as the socket directory, with or without a user, and an empty host", () => {
    expect(postgresTarget('postgres://postgres@/faultline?host=/var/run/postgresql')).toEqual({ url: 'postgres://postgres@localhost/faultline', host: '/var/run/postgresql' });
    expect(postgresTarget('postgresql:///faultline?host=%2Fvar%2Frun%2Fpostgresql')).toEqual({ url: 'postgresql://localhost/faultline', host: '/var/run/postgresql' });
    expect(postgresTarget('postgres://u:secret@/db?host=/tmp&port=5433')).toEqual({ url: 'postgres://u:secret@localhost/db', host: '/tmp', port: 5433 });
  });

  it('takes a percent-encoded socket directory in place of the host, with or without a port', () => {
    expect(postgresTarget('postgresql://%2Fvar%2Frun%2Fpostgresql/faultline')).toEqual({ url: 'postgresql://localhost/faultline', host: '/var/run/postgresql' });
    expect(postgresTarget('postgres://u:p@%2ftmp:5433/db?sslmode=disable')).toEqual({ url: 'postgres://u:p@localhost/db?sslmode=disable', host: '/tmp', port: 5433 });
    expect(() => postgresTarget('postgres://%2Ftmp%E0%A4%A/db')).toThrow(/host that is not percent-encoded correctly/);
  });

  it('keeps the other query parameters, and a named host overrides the one in the authority', () => {
    expect(postgresTarget('postgres://u@/db?host=/run/pg&sslmode=disable&application_name=a')).toEqual({ url: 'postgres://u@localhost/db?sslmode=disable&application_name=a', host: '/run/pg' });
    expect(postgresTarget('postgres://u@ignored:1/db?host=db.internal')).toEqual({ url: 'postgres://u@ignored:1/db', host: 'db.internal' });
  });

  it('refuses a port that is not one', () => {
    expect(() => postgresTarget('postgres://u@/db?host=/tmp&port=99999')).toThrow(/port that is not a number from 1 to 65535: "99999"/);
    expect(() => postgresTarget('postgres://u@/db?port=abc')).toThrow(/port that is not a number from 1 to 65535: "abc"/);
  });

  it('is how the configuration checks DATABASE_URL: a socket URL is taken, a bad port is named', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@/faultline?host=/var/run/postgresql' }).databaseUrl).toBe('postgres://postgres@/faultline?host=/var/run/postgresql');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://postgres@/faultline?host=/tmp&port=0' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://postgres@/faultline?host=/tmp&port=0' })).toThrow(/DATABASE_URL: has a port that is not a number from 1 to 65535: "0"/);
  });
});
