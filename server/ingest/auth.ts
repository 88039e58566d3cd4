// Where an SDK puts its DSN key (protocol doc §1.3, Relay `auth_from_parts`):
//  1. X-Sentry-Auth: Sentry sentry_key=..., sentry_version=7, sentry_client=...
//  2. Authorization: Sentry <same pairs>
//  3. Authorization: Basic base64(<public_key>:<anything>)   (OTLP exporters)
//  4. query string ?sentry_key=...&sentry_version=...        (browser SDKs, to avoid a CORS preflight)
//  5. envelope header "dsn" (checked later, once the envelope is parsed; see `checkEnvelopeDsn`).
// Relay rejects requests with more than one source. We are lenient where they agree (same key) and
// reject with 401 where they disagree: an SDK never sends two different keys on purpose.
import { IngestError } from './errors.ts';

export interface IngestAuth {
  publicKey: string;
  version: number | null;
  /** `sentry_client`, e.g. `sentry.python/1.9.10`. */
  client: string | null;
}

/**
 * sentry_version values we speak. Relay rejects only what is above 8; legacy clients still in use send
 * older ones: raven-go 4 (verified: test/fixtures/sdk/raven-go), SharpRaven and raven-node 4,
 * raven-ruby 5.
 */
const MIN_VERSION = 1;
const MAX_VERSION = 8;
const MAX_HEADER_PAIRS = 32;

function parsePairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',', MAX_HEADER_PAIRS)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let key = part.slice(0, eq).trim().toLowerCase();
    if (key.startsWith('sentry_')) key = key.slice(7);
    out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

function fromPairs(pairs: Map<string, string>): IngestAuth | null {
  const key = pairs.get('key');
  if (!key) return null;
  return { publicKey: stripKeyFlags(key), version: parseVersion(pairs.get('version')), client: pairs.get('client') || null };
}

/** Relay allows flags after a dot in the key (`<key>.no-cache`); they mean nothing to us. */
function stripKeyFlags(key: string): string {
  const dot = key.indexOf('.');
  return dot > 0 ? key.slice(0, dot) : key;
}

function parseVersion(raw: string | undefined | null): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < MIN_VERSION || v > MAX_VERSION) {
    throw new IngestError('unsupported_version', `${raw.slice(0, 20)} (supported: ${MIN_VERSION} to ${MAX_VERSION})`);
  }
  return v;
}

function fromSentryScheme(value: string): IngestAuth {
  const m = /^\s*sentry\s+(.*)$/is.exec(value);
  if (!m) throw new IngestError('invalid_auth');
  const auth = fromPairs(parsePairs(m[1]));
  if (!auth) throw new IngestError('invalid_auth', 'sentry_key is missing');
  return auth;
}

function fromBasic(value: string): IngestAuth {
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m) throw new IngestError('invalid_auth');
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const key = decoded.split(':', 1)[0];
  if (!key) throw new IngestError('invalid_auth', 'no key in Basic credentials');
  return { publicKey: stripKeyFlags(key), version: null, client: null };
}

export interface AuthSources {
  xSentryAuth?: string | null;
  authorization?: string | null;
  query: URLSearchParams;
}

/** The auth of a request from its headers and query string; null if none of those carry any. */
export function authFromRequest(src: AuthSources): IngestAuth | null {
  const found: IngestAuth[] = [];
  if (src.xSentryAuth) found.push(fromSentryScheme(src.xSentryAuth));
  if (src.authorization) {
    const a = src.authorization;
    if (/^\s*sentry\s/i.test(a)) found.push(fromSentryScheme(a));
    else if (/^\s*basic\s/i.test(a)) found.push(fromBasic(a));
    // Other schemes (e.g. Bearer) are not ingest credentials; ignore them like Relay does.
  }
  if (src.query.has('sentry_key')) {
    const q = src.query;
    const pairs = new Map<string, string>();
    for (const k of ['key', 'version', 'client']) {
      const v = q.get(`sentry_${k}`);
      if (v !== null) pairs.set(k, v);
    }
    const auth = fromPairs(pairs);
    if (!auth) throw new IngestError('invalid_auth', 'sentry_key is empty');
    found.push(auth);
  } else if (src.query.has('sentry_version')) {
    parseVersion(src.query.get('sentry_version'));
  }
  return mergeSources(found);
}

function mergeSources(found: IngestAuth[]): IngestAuth | null {
  if (found.length === 0) return null;
  const [first, ...rest] = found;
  for (const other of rest) {
    if (other.publicKey !== first.publicKey) throw new IngestError('multiple_auth', 'the sources name different keys');
  }
  return {
    publicKey: first.publicKey,
    version: found.find((a) => a.version !== null)?.version ?? null,
    client: found.find((a) => a.client)?.client ?? null,
  };
}

export interface ParsedDsn {
  publicKey: string;
  projectId: string;
}

/** `{scheme}://{public_key}[:{secret}]@{host}[:{port}]{/prefix}/{project_id}` (protocol doc §1.1). */
export function parseDsn(dsn: string): ParsedDsn | null {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return null;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const projectId = segments.at(-1);
  if (!url.username || !projectId) return null;
  return { publicKey: decodeURIComponent(url.username), projectId };
}

/**
 * Combines request auth with the envelope's `dsn` header: the dsn may be the only credential
 * (protocol §1.3 item 6); if both are present they must name the same key.
 */
export function withEnvelopeDsn(auth: IngestAuth | null, dsn: unknown): IngestAuth | null {
  if (typeof dsn !== 'string' || dsn === '') return auth;
  const parsed = parseDsn(dsn);
  if (!parsed) {
    if (auth) return auth; // a broken informational header must not fail an otherwise authenticated request
    throw new IngestError('invalid_auth', 'envelope dsn header is not a DSN');
  }
  if (!auth) return { publicKey: stripKeyFlags(parsed.publicKey), version: null, client: null };
  if (stripKeyFlags(parsed.publicKey) !== auth.publicKey) {
    throw new IngestError('multiple_auth', 'the envelope dsn names a different key');
  }
  return auth;
}

/** `sentry.python/1.9.10` → {name, version}. */
export function parseClient(client: string | null | undefined): { name: string; version: string } | null {
  if (!client) return null;
  const slash = client.lastIndexOf('/');
  if (slash <= 0) return { name: client.slice(0, 100), version: '' };
  return { name: client.slice(0, slash).slice(0, 100), version: client.slice(slash + 1).slice(0, 50) };
}
