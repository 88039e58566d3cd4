// DSN, protocol §1.1: `{scheme}://{public_key}[:{secret_key}]@{host}[:{port}]{/path/prefix}/{project_id}`.
// The project id is the last path segment; anything before it is a prefix the server lives under
// (`https://k@h/sentry/42` posts to `https://h/sentry/api/42/envelope/`).

export interface Dsn {
  protocol: 'http' | 'https';
  publicKey: string;
  /** Deprecated; parsed so such DSNs work, never sent. */
  secretKey?: string;
  /** Host with port, as in a URL (`[::1]:8000`, `example.com`). */
  host: string;
  /** Path prefix without a trailing slash ('' or `/sentry`). */
  path: string;
  projectId: string;
}

/** Parses a DSN; returns null (never throws) when it is not one. */
export function parseDsn(dsn: unknown): Dsn | null {
  if (typeof dsn !== 'string') return null;
  let url: URL;
  try {
    url = new URL(dsn.trim());
  } catch {
    return null;
  }
  const protocol = url.protocol.slice(0, -1);
  if ((protocol !== 'http' && protocol !== 'https') || !url.username || !url.host) return null;
  const parts = url.pathname.split('/');
  const projectId = parts.pop() || '';
  if (!/^[\w.-]+$/.test(projectId) || url.search || url.hash) return null;
  return {
    protocol,
    publicKey: decodeURIComponent(url.username),
    secretKey: url.password ? decodeURIComponent(url.password) : undefined,
    host: url.host,
    path: parts.join('/'),
    projectId,
  };
}

/**
 * The envelope endpoint with the auth in the query string (protocol §1.3 source 4), as the official
 * browser and Node SDKs send it: no auth header, so browsers need no CORS preflight.
 */
export function envelopeUrl(dsn: Dsn, client: string): string {
  return `${dsn.protocol}://${dsn.host}${dsn.path}/api/${dsn.projectId}/envelope/?sentry_version=7&sentry_key=${encodeURIComponent(dsn.publicKey)}&sentry_client=${encodeURIComponent(client)}`;
}
