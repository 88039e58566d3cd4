// postgres:// URLs as libpq reads them. postgres.js takes most of a URL, but a Unix-socket URL
// (`postgres://user@/db?host=/var/run/postgresql`, the usual way to reach a Postgres on the same box)
// fails there: the WHATWG URL parser refuses the empty host, and postgres.js sends the `host` and
// `port` query parameters to the server as settings, which it refuses ("unrecognized configuration
// parameter"). Every connection Faultline opens goes through connectPostgres.
import postgres from 'postgres';

export interface PostgresTarget {
  /** The URL without the parameters below, with a host postgres.js can parse. */
  url: string;
  /** libpq's `host` parameter: a host name, or a socket directory when it starts with `/`. */
  host?: string;
  /** libpq's `port` parameter. */
  port?: number;
}

export function postgresTarget(url: string): PostgresTarget {
  const q = url.indexOf('?');
  if (q < 0) return { url };
  const params = new URLSearchParams(url.slice(q + 1));
  const host = params.get('host') || undefined;
  const portText = params.get('port');
  if (!host && !portText) return { url };
  params.delete('host');
  params.delete('port');
  // An empty host (`postgres:///db`, `postgres://user@/db`) gets a placeholder; the option overrides it.
  const base = url.slice(0, q).replace(/^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)(?=[/]|$)/, '$1localhost');
  const rest = params.toString();
  const port = portText ? Number(portText) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`invalid port "${portText}" in the database URL`);
  return { url: rest ? `${base}?${rest}` : base, ...(host ? { host } : {}), ...(port ? { port } : {}) };
}

/** postgres(url, options), for any URL libpq would take (see above). */
export function connectPostgres<T extends Record<string, postgres.PostgresType>>(url: string, options: postgres.Options<T> = {}) {
  const t = postgresTarget(url);
  return postgres<T>(t.url, { ...options, ...(t.host ? { host: t.host } : {}), ...(t.port ? { port: t.port } : {}) });
}
