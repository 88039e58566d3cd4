// The administration CLI (`npm run faultline -- <command>` = node --initial-old-space-size=128 --import tsx server/main.ts) against
// a fresh Postgres database and a fresh embedded data directory: it prepares the empty database, creates
// a user, a project (printing its DSN) and a token (printing it once), refuses bad input with a non-zero
// exit code, and what it created works in the server started afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../helpers/db.ts';
import { freePort, runMain, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const cli = (env: Record<string, string>, ...args: string[]) => runMain(env, args);

const variants: Array<{ name: string; setup: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> }> = [
  {
    name: 'embedded PGlite',
    setup: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-cli-'));
      return { env: { FAULTLINE_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'Postgres',
    setup: async () => {
      const db = await createPostgresDatabase('faultline_cli');
      return { env: { DATABASE_URL: db.url }, cleanup: db.drop };
    },
  },
];

describe.each(variants)('CLI on $name', ({ name, setup }) => {
  let server: ServerProcess | null = null;
  let cleanup: (() => Promise<void>) | null = null;
  afterAll(async () => {
    await server?.stop();
    await cleanup?.();
  });

  it('creates users, projects and tokens that the server then accepts', async () => {
    const s = await setup();
    cleanup = s.cleanup;
    const port = await freePort();
    const env = { ...s.env, PORT: String(port), FAULTLINE_ADMIN_PASSWORD: 'admin-password-1' };

    expect((await cli(env, 'migrate')).code).toBe(0);

    // The first command on an empty database does the first-start setup and says so on stderr.
    const user = await cli(env, 'user', 'create', 'Dev@Example.com', '--password', 'dev-password-1', '--org', 'faultline', '--role', 'admin');
    expect(user).toMatchObject({ code: 0, stdout: 'created user dev@example.com, admin of faultline' });
    expect(user.stderr).toMatch(/empty database/);

    const project = await cli(env, 'project', 'create', 'faultline', 'faultline', 'Billing API');
    expect(project.code).toBe(0);
    expect(project.stdout).toMatch(new RegExp(`^http://[0-9a-f]{32}@localhost:${port}/\\d+$`));
    expect(project.stderr).toBe('');

    const token = await cli(env, 'token', 'create', 'dev@example.com', '--scopes', 'org:read,project:read,event:read', '--name', 'ci');
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^flt_[0-9a-f]{64}$/);

    const loner = await cli(env, 'user', 'create', 'loner@example.com');
    expect(loner.code).toBe(0);
    const generated = /password: (\S+)$/.exec(loner.stdout)?.[1];
    expect(generated).toMatch(/^\S{12,}$/);

    // Bad input: exit code 1 (or 2 for usage) and a message on stderr.
    const bad: Array<() => Promise<void>> = [];
    for (const [args, code, message] of [
      [['project', 'create', 'nope', 'faultline', 'X'], 1, /no organization "nope"/],
      [['project', 'create', 'faultline', 'nope', 'X'], 1, /no team "nope"/],
      [['project', 'create', 'faultline', 'faultline', 'Billing API'], 1, /already exists/],
      [['user', 'create', 'dev@example.com'], 1, /already exists/],
      [['user', 'create', 'x@example.com', '--org', 'faultline', '--role', 'emperor'], 2, /--role/],
      [['token', 'create', 'nobody@example.com'], 1, /no user/],
      [['token', 'create', 'dev@example.com', '--scopes', 'bogus'], 1, /unknown scope bogus/],
      [['project', 'frobnicate'], 2, /usage/],
    ] as Array<[string[], number, RegExp]>) {
      bad.push(async () => {
        const res = await cli(env, ...args);
        expect([args.join(' '), res.code]).toEqual([args.join(' '), code]);
        expect(res.stderr).toMatch(message);
      });
    }
    // Postgres takes them all at once; the embedded database one process at a time, so a few suffice.
    if (name === 'Postgres') await Promise.all(bad.map((f) => f()));
    else for (const i of [0, 2, 6, 7]) await bad[i]();

    // The server on the same data: the token works with its scopes, the DSN takes events, the user signs in.
    server = await startServerProcess(env);
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${token.stdout}` };
    const projects = await (await fetch(`${base}/api/0/organizations/faultline/projects/`, { headers: auth })).json();
    expect(projects.map((p: { slug: string }) => p.slug).sort()).toEqual(['billing-api', 'my-service']);
    const denied = await fetch(`${base}/api/0/teams/faultline/faultline/projects/`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(denied.status).toBe(403);
    const dsn = new URL(project.stdout);
    const sent = await fetch(`${base}/api${dsn.pathname}/store/?sentry_key=${dsn.username}`, { method: 'POST', body: JSON.stringify({ message: 'from the CLI project' }) });
    expect(sent.status).toBe(200);
    for (const [email, password] of [['dev@example.com', 'dev-password-1'], ['loner@example.com', generated!]]) {
      const login = await fetch(`${base}/api/0/auth/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      expect(login.status).toBe(200);
    }
    await server.stop();
    server = null;
  });
});
