// Administration from the shell: `npm run faultline -- <command>` (= node --initial-old-space-size=128 --import tsx server/main.ts).
//   project create <org> <team> <name> [--slug s] [--platform p]   prints the new project's DSN
//   user create <email> [--password p] [--name n] [--org o --role owner|admin|member]
//   token create <email> [--scopes a,b] [--name n]                  prints the token (shown once)
// Each runs the migrations and the first-start setup if the database is empty (its sign-in details go
// to stderr), then does the same writes as the API (auth/members.ts, auth/api-tokens.ts,
// queries/projects.ts). Results go to stdout, one line, for scripts; errors to stderr with exit code 1
// (2 for usage). With the embedded database, stop the server first: PGlite is one process at a time.
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { createApiToken, validateScopes } from './auth/api-tokens.ts';
import { addMember, organizationBySlug } from './auth/members.ts';
import { isRole, scopesOfRoles } from './auth/roles.ts';
import { findOrCreateUser, findUserByEmail } from './auth/users.ts';
import { bootstrap, slugify } from './bootstrap.ts';
import { loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { organizationMembers } from './db/schema.ts';
import { ApiError } from './errors.ts';
import { dsnFor, listProjectKeys } from './queries/keys.ts';
import { createProject, getTeam, projectSlugTaken } from './queries/projects.ts';

export const CLI_COMMANDS = ['project', 'user', 'token'] as const;

export const CLI_USAGE = `       faultline project create <org> <team> <name> [--slug <slug>] [--platform <platform>]
       faultline user create <email> [--password <password>] [--name <name>] [--org <org> --role owner|admin|member]
       faultline token create <email> [--scopes <scope,scope>] [--name <name>]`;

class UsageError extends Error {}

const OPTIONS = {
  slug: { type: 'string' },
  platform: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string' },
  scopes: { type: 'string' },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: string };

/** Runs one command; resolves with the process exit code. */
export async function runCli(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, strict: true });
  } catch (e) {
    err(`faultline: ${(e as Error).message}\nusage:\n${CLI_USAGE}`);
    return 2;
  }
  const [resource, verb, ...args] = parsed.positionals;
  const config = loadConfig();
  let db: Database | null = null;
  try {
    if (verb !== 'create' || !(CLI_COMMANDS as readonly string[]).includes(resource)) throw new UsageError(`unknown command "${[resource, verb].filter(Boolean).join(' ')}"`);
    const role = parsed.values.role;
    if (role !== undefined && !isRole(role)) throw new UsageError(`--role must be owner, admin or member, not "${role}"`);
    db = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite`, poolSize: 2 });
    await prepare(db, config, err);
    if (resource === 'project') out(await projectCreate(db, config, args, parsed.values));
    else if (resource === 'user') out(await userCreate(db, args, parsed.values));
    else out(await tokenCreate(db, args, parsed.values));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`faultline: ${e.message}\nusage:\n${CLI_USAGE}`);
      return 2;
    }
    if (e instanceof ApiError) {
      err(`faultline: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await db?.close();
  }
}

/** Migrations and, on an empty database, the first-start setup (reported on stderr). */
async function prepare(db: Database, config: Config, err: (line: string) => void): Promise<void> {
  await migrate(db);
  const boot = await bootstrap(db, config.admin, config.publicUrl);
  if (!boot.created) return;
  err('faultline: empty database: created an organization, a team, a project and an admin account.');
  err(`  Organization: ${boot.organizationSlug}   Sign in: ${boot.adminEmail}   Password: ${boot.adminPassword}`);
  if (boot.apiToken) err(`  API token: ${boot.apiToken}`);
  err(`  DSN: ${boot.dsn}`);
}

function expectArgs(args: string[], n: number, what: string): void {
  if (args.length !== n) throw new UsageError(`expected ${what}`);
}

async function orgOrFail(db: Database, slug: string) {
  const org = await organizationBySlug(db.orm, slug);
  if (!org) throw new ApiError(404, `no organization "${slug}"`);
  return org;
}

async function projectCreate(db: Database, config: Config, args: string[], values: Values): Promise<string> {
  expectArgs(args, 3, '<org> <team> <name>');
  const [orgSlug, teamSlug, name] = args;
  const org = await orgOrFail(db, orgSlug);
  const team = await getTeam(db.orm, org.id, teamSlug);
  if (!team) throw new ApiError(404, `no team "${teamSlug}" in organization "${org.slug}"`);
  const slug = values.slug ?? slugify(name);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(slug) || /^\d+$/.test(slug)) throw new ApiError(400, `invalid project slug "${slug}"`);
  if (await projectSlugTaken(db.orm, org.id, slug)) throw new ApiError(409, `a project with slug "${slug}" already exists in "${org.slug}"`);
  const project = await createProject(db, { organizationId: org.id, teamId: team.id, name, slug, platform: values.platform ?? null });
  const [key] = await listProjectKeys(db.orm, project.id);
  return dsnFor(config.publicUrl, key.publicKey, project.id);
}

async function userCreate(db: Database, args: string[], values: Values): Promise<string> {
  expectArgs(args, 1, '<email>');
  const email = args[0];
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ApiError(400, `invalid email "${email}"`);
  if ((values.org === undefined) !== (values.role === undefined)) throw new UsageError('--org and --role go together');
  if (values.org !== undefined) {
    const org = await orgOrFail(db, values.org);
    const added = await addMember(db, { organizationId: org.id, email, password: values.password, name: values.name, role: values.role as 'member' });
    const how = added.userCreated ? 'created user' : 'existing user';
    return `${how} ${email.toLowerCase()}, ${values.role} of ${org.slug}${added.generatedPassword ? `; password: ${added.generatedPassword}` : ''}`;
  }
  if (await findUserByEmail(db.orm, email)) throw new ApiError(409, `a user ${email.toLowerCase()} already exists`);
  const { user, generatedPassword } = await findOrCreateUser(db.orm, { email, password: values.password, name: values.name });
  return `created user ${user.email}${generatedPassword ? `; password: ${generatedPassword}` : ''}`;
}

async function tokenCreate(db: Database, args: string[], values: Values): Promise<string> {
  expectArgs(args, 1, '<email>');
  const user = await findUserByEmail(db.orm, args[0]);
  if (!user) throw new ApiError(404, `no user ${args[0].toLowerCase()}`);
  const roles = (await db.orm.select({ role: organizationMembers.role }).from(organizationMembers).where(eq(organizationMembers.userId, user.id))).map((r) => r.role);
  // The default: every scope of the user's roles (what their session has). Asked-for scopes may be any.
  const scopes = values.scopes !== undefined ? validateScopes(values.scopes.split(',')) : [...scopesOfRoles(roles)].sort();
  const { token } = await createApiToken(db.orm, { userId: user.id, name: values.name ?? 'Created with the CLI', scopes });
  return token;
}
