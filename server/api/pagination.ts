// Sentry-style cursor pagination: a `Link` header with a previous and a next cursor, each with
// `results="true|false"`. Our cursors are keyset positions (`<sort value>:<id>:<is_prev>`), opaque to
// clients, so pages stay stable while new events arrive.
import { ApiError } from '../errors.ts';
import type { ApiContext } from './context.ts';

export interface Cursor {
  /** The sort value of the boundary row (a number: epoch ms or a count). */
  value: number;
  /** The boundary row's id: digits for issues, 32 hex digits for events. */
  id: string;
  /** true: the page BEFORE the boundary (rel="previous"). */
  prev: boolean;
}

export const ISSUE_ID = /^\d{1,18}$/;
export const EVENT_ID = /^[0-9a-f]{32}$/;

export function parseCursor(raw: string | undefined, idPattern: RegExp): Cursor | null {
  if (!raw) return null;
  const m = /^(-?\d{1,16}):([0-9a-f]{1,32}):([01])$/.exec(raw);
  if (!m || !idPattern.test(m[2])) throw new ApiError(400, `invalid cursor "${raw.slice(0, 60)}"`);
  return { value: Number(m[1]), id: m[2], prev: m[3] === '1' };
}

export const formatCursor = (c: Cursor) => `${Math.trunc(c.value)}:${c.id}:${c.prev ? 1 : 0}`;

/**
 * The Link header for a page. `first`/`last` are the boundary rows of the page shown; `hasPrev` and
 * `hasNext` say whether anything lies beyond them.
 */
export function linkHeader(requestUrl: string, first: Cursor | null, last: Cursor | null, hasPrev: boolean, hasNext: boolean): string {
  const link = (cursor: Cursor | null, rel: 'previous' | 'next', results: boolean) => {
    const url = new URL(requestUrl);
    const value = cursor ? formatCursor(cursor) : `0:0:${rel === 'previous' ? 1 : 0}`;
    url.searchParams.set('cursor', value);
    return `<${url.toString()}>; rel="${rel}"; results="${results}"; cursor="${value}"`;
  };
  return [
    link(first ? { ...first, prev: true } : null, 'previous', hasPrev),
    link(last ? { ...last, prev: false } : null, 'next', hasNext),
  ].join(', ');
}

/** The URL a client should follow: PUBLIC_URL plus this request's path and query. */
export function publicRequestUrl(c: ApiContext): string {
  const u = new URL(c.req.url);
  return `${c.get('app').config.publicUrl}${u.pathname}${u.search}`;
}

/**
 * A keyset page read newest first with one row more than `limit` in the direction read (a previous
 * page is read oldest first): drops the extra row, puts a previous page back in newest-first order,
 * sets the Link header from its boundary rows, and returns the rows to show.
 */
export function keysetPage<T>(c: ApiContext, rows: T[], limit: number, cursor: Cursor | null, boundary: (row: T) => { value: number; id: string }): T[] {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  if (cursor?.prev) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  c.header(
    'Link',
    linkHeader(
      publicRequestUrl(c),
      first ? { ...boundary(first), prev: true } : null,
      last ? { ...boundary(last), prev: false } : null,
      cursor ? (cursor.prev ? more : true) : false,
      cursor?.prev ? true : more,
    ),
  );
  return page;
}
