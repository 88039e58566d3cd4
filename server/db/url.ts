// postgres:// URLs as libpq reads them. postgres.js takes most URLs, but not the Unix-socket forms, the
// usual way to reach a Postgres on the same box: `postgres://user@/db?host=/var/run/postgresql` fails in
// the WHATWG URL parser (empty host), `postgres://%2Fvar%2Frun%2Fpostgresql/db` is looked up as a host
// name, and the `host` and `port` query parameters go to the server as settings, which it refuses
// ("unrecognized configuration parameter"). Every connection Faultline opens goes through connectPostgres.
import postgres from 'postgres';

export interface PostgresTarget {
  /** The URL without the parameters below, with a host postgres.js can parse. */
  url: string;
  /** libpq's `host` parameter: a host name, or a socket directory when it starts with `/`. */
  host?: string;
  /** libpq's `port` parameter. */
  port?: number;
}

const AUTHORITY = /^(postgres(?:ql)?:\/\/)([^/?#]*)([^?#]*)(?:\?([^#]*))?/;

/** What postgres.js needs of a URL: unchanged unless it names a socket or a host or port parameter. Throws on a bad port. */
export function postgresTarget(url: string): PostgresTarget {
  const m = AUTHORITY.exec(url);
  if (!m) return { url };
  const [, scheme, authority, path, query = ''] = m;
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  let hostport = authority.slice(at + 1);
  let host: string | undefined;
  let portText: string | null = null;
  // libpq also takes the socket directory as the host itself, percent-encoded: postgres://%2Fvar%2Frun%2Fpostgresql/db.
  if (/^%2f/i.test(hostport)) {
    const port = /:(\d*)$/.exec(hostport);
    if (port) portText = port[1];
    host = decodeHost(port ? hostport.slice(0, port.index) : hostport);
    hostport = '';
  }
  const params = new URLSearchParams(query);
  host = params.get('host') || host;
  portText = params.get('port') || portText;
  if (!host && !portText) return { url };
  params.delete('host');
  params.delete('port');
  const port = portText ? Number(portText) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`has a port that is not a number from 1 to 65535: "${portText}"`);
  // An empty host (`postgres:///db`, `postgres://user@/db`) gets a placeholder; the option overrides it.
  const rest = params.toString();
  return { url: `${scheme}${userinfo}${hostport || 'localhost'}${path}${rest ? `?${rest}` : ''}`, ...(host ? { host } : {}), ...(port ? { port } : {}) };
}

function decodeHost(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`has a host that is not percent-encoded correctly: "${text.slice(0, 100)}"`);
  }
}

/** postgres(url, options), for any URL libpq would take (see above). */
export function connectPostgres<T extends Record<string, postgres.PostgresType>>(url: string, options: postgres.Options<T> = {}) {
  const t = postgresTarget(url);
  return postgres<T>(t.url, { ...options, ...(t.host ? { host: t.host } : {}), ...(t.port ? { port: t.port } : {}) });
}

/** One line for an error of the database connection (it refused, or could not be reached); null for any other error. */
export function databaseFailure(err: unknown): string | null {
  const e = (err ?? {}) as { name?: string; message?: string; syscall?: string };
  if (e.name === 'PostgresError') return `the database refused: ${e.message} (check DATABASE_URL)`;
  if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') return `cannot reach the database: ${e.message} (check DATABASE_URL, and that Postgres is running)`;
  return null;
}

/** Node's socket errors and postgres.js' own connection errors: the database could not be reached. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);
/**
 * SQLSTATEs of a database that is there but cannot take writes now: shutting down or starting up,
 * out of connections or of disk, or a read-only standby after a failover.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '25006']);

/**
 * Whether a query failed because the database is away or cannot take writes (a later try may work),
 * rather than because of the query: what ingest spools for (pipeline/spool.ts).
 */
export function databaseUnavailable(err: unknown, depth = 0): boolean {
  const e = (err ?? {}) as { name?: string; code?: unknown; syscall?: string; cause?: unknown };
  // drizzle wraps the driver's error ("Failed query: ...") as the cause of its own.
  if (e.cause !== undefined && depth < 3 && databaseUnavailable(e.cause, depth + 1)) return true;
  if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') return true; // also a socket path that is not there
  if (typeof e.code !== 'string') return false;
  if (e.name === 'PostgresError') return e.code.startsWith('08') || UNAVAILABLE_STATES.has(e.code);
  return UNREACHABLE_CODES.has(e.code);
}
