// `DATABASE_URL` as an operator writes it. In libpq's Unix-socket form (`postgres://user@/db?host=/var/run/postgresql`),
// the usual way to reach a Postgres on the same machine, the server starts, applies its migrations, takes
// an event and shows it as an issue, and its connections really are socket connections. A database that
// is missing or unreachable stops the start with one line that says so, not a stack trace.
import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../server/db/url.ts';
import { createPostgresDatabase } from '../helpers/db.ts';
import { freePort, runMain, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const TOKEN = 'flt_socket_token_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The local server's first socket directory, asked over the test connection (none: sockets are off). */
async function socketDirectory(): Promise<string | null> {
  const sql = connectPostgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ dirs: string }[]>`SELECT current_setting('unix_socket_directories') AS dirs`;
    return row.dirs.split(',').map((d) => d.trim()).find((d) => d.startsWith('/')) ?? null;
  } finally {
    await sql.end();
  }
}

const dir = await socketDirectory();

describe('Postgres over its Unix socket', () => {
  let server: ServerProcess | null = null;
  let drop: (() => Promise<void>) | null = null;
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it.skipIf(!dir)('runs the server with a socket DATABASE_URL: migrations, an event, its issue', async () => {
    const db = await createPostgresDatabase('faultline_socket');
    drop = db.drop;
    const tcp = new URL(db.url);
    const name = tcp.pathname.slice(1);
    const url = `postgres://${tcp.username}@/${name}?host=${dir}&port=${tcp.port || 5432}`;
    const port = await freePort();
    server = await startServerProcess({ DATABASE_URL: url, PORT: String(port), FAULTLINE_ADMIN_TOKEN: TOKEN });
    expect(server.output).toMatch(/Faultline is running at/);

    const dsn = new URL(server.dsn);
    const base = `http://127.0.0.1:${port}`;
    const sent = await fetch(`${base}/api${dsn.pathname}/store/?sentry_key=${dsn.username}`, {
      method: 'POST',
      body: JSON.stringify({ message: 'hello over the socket', level: 'warning' }),
    });
    expect(sent.status).toBe(200);
    let issues: Array<{ title: string; count: string; level: string }> = [];
    for (let i = 0; i < 150 && issues.length === 0; i++) {
      const res = await fetch(`${base}/api/0/organizations/faultline/issues/?query=`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      issues = await res.json();
      if (issues.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(issues).toMatchObject([{ title: 'hello over the socket', count: '1', level: 'warning' }]);

    // Socket connections have no client address; TCP ones have 127.0.0.1.
    const admin = connectPostgres(adminUrl, { max: 1, onnotice: () => {} });
    const conns = await admin<{ socket: number; tcp: number }[]>`SELECT count(*) FILTER (WHERE client_addr IS NULL)::int AS socket,
      count(*) FILTER (WHERE client_addr IS NOT NULL)::int AS tcp
      FROM pg_stat_activity WHERE datname = ${name} AND application_name = 'faultline'`;
    await admin.end();
    expect(conns[0].socket).toBeGreaterThan(0);
    expect(conns[0].tcp).toBe(0);
  });
});

describe('a database the server cannot use', () => {
  it('stops the start with one line naming the problem: a missing database, nothing listening', async () => {
    const tcp = new URL(adminUrl);
    const missing = await runMain({ DATABASE_URL: `postgres://${tcp.username}@${tcp.host}/faultline_no_such_database`, PORT: '0' }, ['serve']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('faultline: failed to start: the database refused: database "faultline_no_such_database" does not exist (check DATABASE_URL)');
    const nobody = await runMain({ DATABASE_URL: 'postgres://postgres@/faultline?host=/nonexistent-socket-dir', PORT: '0' }, ['serve']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe('faultline: failed to start: cannot reach the database: connect ENOENT /nonexistent-socket-dir/.s.PGSQL.5432 (check DATABASE_URL, and that Postgres is running)');
  });
});
