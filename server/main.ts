// Entry point.  `npm start` = `faultline serve`.
//   faultline serve [--role ingest|worker|web[,...]]   run the server (all roles by default)
//   faultline migrate                                  apply database migrations and exit
//   faultline project|user|token create ...            administration, see cli.ts
import { parseArgs } from 'node:util';
import type { Role } from './app.ts';
import { CLI_COMMANDS, CLI_USAGE, runCli } from './cli.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { databaseFailure } from './db/url.ts';
import { createLogger } from './log.ts';
import { ALL_ROLES, createRuntime, type Runtime } from './runtime.ts';

const USAGE = `usage: faultline serve [--role ingest|worker|web[,...]]
       faultline migrate
${CLI_USAGE}`;

function parseRoles(value: string | undefined): ReadonlySet<Role> {
  if (!value) return ALL_ROLES;
  const roles = new Set<Role>();
  for (const r of value.split(',')) {
    const role = r.trim();
    if (role !== 'ingest' && role !== 'worker' && role !== 'web') {
      console.error(`faultline: unknown role "${role}" (expected ingest, worker or web)`);
      process.exit(2);
    }
    roles.add(role);
  }
  return roles;
}

function banner(config: Config, rt: Runtime, port: number): string {
  const b = rt.bootstrap;
  const url = config.publicUrl;
  const lines = ['', `  Faultline is running at ${url}  (listening on ${config.host}:${port}, database: ${rt.db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}/pglite` : 'Postgres'})`];
  if (rt.roles.size !== ALL_ROLES.size) lines.push(`  Roles: ${[...rt.roles].join(', ')}`);
  if (b) {
    lines.push('');
    lines.push(b.created ? '  First start: created an organization, a project and an admin account.' : '  Welcome back.');
    lines.push(`  Sign in:    ${b.adminEmail}`);
    lines.push(`  Password:   ${b.adminPassword ?? '(set at first start; FAULTLINE_ADMIN_PASSWORD sets it on an empty database)'}`);
    if (b.apiToken) lines.push(`  API token:  ${b.apiToken}   (shown once; use as "Authorization: Bearer <token>")`);
    if (b.dsn) {
      lines.push(`  DSN:        ${b.dsn}`);
      lines.push(`              (project "${b.projectSlug}" in organization "${b.organizationSlug}")`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  if ((CLI_COMMANDS as readonly string[]).includes(argv[0]) && !argv.includes('--help') && !argv.includes('-h')) {
    try {
      process.exitCode = await runCli(argv);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      process.exitCode = 2;
    }
    return;
  }
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  if (command === 'migrate') {
    const db = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
    try {
      await migrate(db);
      console.log('faultline: migrations applied');
    } finally {
      await db.close();
    }
    return;
  }
  if (command !== 'serve') {
    console.error(USAGE);
    process.exit(2);
  }

  // After an idle spell V8's memory reducer shrinks the heaps, and on Node 20 their limit then stayed
  // near the live size under load: a full GC every ~100 ms instead of every few seconds, ~35% more CPU
  // per event for as long as we measured (the event bench, round after round). An initial old space of
  // 128 MB is a floor under that limit, so the reducer still gives the memory back when idle. Only a
  // node flag sets it: v8.setFlagsFromString here comes too late for the main thread's heap (tried).
  if (!process.execArgv.some((a) => a.startsWith('--initial-old-space-size'))) {
    log.warn('node runs without --initial-old-space-size=128 (as `npm start` passes it): after idle spells the server spends about a third more CPU per event');
  }
  const rt = await createRuntime(config, log, { roles: parseRoles(values.role) });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const needsHttp = rt.roles.has('ingest') || rt.roles.has('web');
  const port = needsHttp ? await rt.listen() : 0;
  console.log(needsHttp ? banner(config, rt, port) : '\n  Faultline digest worker running.\n');
}

main(process.argv.slice(2)).catch((err) => {
  // The database missing, refusing or unreachable is the operator's to fix: one line, no stack to bury it.
  console.error(`faultline: failed to start: ${databaseFailure(err) ?? err?.stack ?? err}`);
  process.exit(1);
});
