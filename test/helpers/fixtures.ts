// Loader for the recorded SDK fixtures under test/fixtures/sdk/ (see test/fixtures/README.md).
// Every fixture is one HTTP request exactly as a real Sentry SDK sent it: method, URL
// (path + query), headers (lower-cased names) and the raw body bytes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Public key used in every fixture DSN: http://<key>@127.0.0.1:9477/1 */
export const FIXTURE_KEY = 'a11ce5ea5e5e4a6b9a0c0ffee0ddba11';
/** Project id used in every fixture DSN. */
export const FIXTURE_PROJECT_ID = 1;

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sdk');

export interface SdkFixture {
  /** client directory: node, browser, python, raven-ruby, ruby, go (python-brotli if recorded) */
  client: string;
  /** SDK version that produced the request */
  clientVersion: string;
  /** scenario name, e.g. exception, exception-again, message, unhandled, chained, logs */
  scenario: string;
  /** what the driver code did */
  description: string;
  method: string;
  /** path + query exactly as requested, e.g. /api/1/envelope/?sentry_version=7&sentry_key=... */
  url: string;
  /** request headers, lower-cased names, values as sent */
  headers: Record<string, string>;
  /** raw body bytes as received on the wire (still content-encoded) */
  body: Buffer;
  /** path relative to test/fixtures/sdk, e.g. python/exception.json */
  file: string;
  notes?: string;
}

interface RawFixture {
  client: string;
  clientVersion: string;
  scenario: string;
  description: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBase64: string;
  notes?: string;
}

/** Load one fixture; `relPath` is relative to test/fixtures/sdk (e.g. `node/exception.json`). */
export function loadFixture(relPath: string): SdkFixture {
  const rel = relPath.endsWith('.json') ? relPath : `${relPath}.json`;
  const abs = path.resolve(FIXTURES_DIR, rel);
  const raw = JSON.parse(readFileSync(abs, 'utf8')) as RawFixture;
  return {
    client: raw.client,
    clientVersion: raw.clientVersion,
    scenario: raw.scenario,
    description: raw.description,
    method: raw.method,
    url: raw.url,
    headers: { ...raw.headers },
    body: Buffer.from(raw.bodyBase64, 'base64'),
    file: path.relative(FIXTURES_DIR, abs).split(path.sep).join('/'),
    notes: raw.notes,
  };
}

/**
 * All fixtures (sorted by file), optionally filtered by client directory and/or scenario.
 * Note that one scenario usually has several files (the event plus sessions, client
 * reports...): `listFixtures({ scenario: 'exception' })` returns all of them.
 */
export function listFixtures(filter: { client?: string; scenario?: string } = {}): SdkFixture[] {
  const out: SdkFixture[] = [];
  let clients: string[];
  try {
    clients = readdirSync(FIXTURES_DIR).filter((d) => statSync(path.join(FIXTURES_DIR, d)).isDirectory());
  } catch {
    return out;
  }
  for (const client of clients.sort()) {
    if (filter.client !== undefined && client !== filter.client) continue;
    const files = readdirSync(path.join(FIXTURES_DIR, client))
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const f of files) {
      const fx = loadFixture(`${client}/${f}`);
      if (filter.scenario !== undefined && fx.scenario !== filter.scenario) continue;
      out.push(fx);
    }
  }
  return out;
}
