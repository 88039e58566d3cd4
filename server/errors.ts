// The web API's one error class (style habit 7). Bodies follow Sentry's web API: `{"detail": "..."}`.
import { databaseUnavailable } from './db/url.ts';

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503,
    message: string,
    readonly code: string = codeFor(status),
  ) {
    super(message);
  }
}

function codeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'not_authenticated';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    default:
      return 'error';
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`);

/**
 * The answer to a request that failed because the database cannot be reached (a restart, a failover):
 * 503 with Retry-After, logged as a warning; null for any other error.
 */
export function databaseAwayResponse(err: Error, where: string, log: { warn(msg: string): void }): Response | null {
  if (!databaseUnavailable(err)) return null;
  log.warn(`${where}: the database cannot be reached (${err.message})`);
  return Response.json({ detail: 'the database is temporarily unavailable, try again later', code: 'unavailable' }, { status: 503, headers: { 'retry-after': '5' } });
}
