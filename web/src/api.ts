// The UI talks only to the public web API (/api/0), with the session cookie and its CSRF token.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface Page<T> {
  items: T[];
  next: string | null;
  previous: string | null;
}

/** Sentry's Link header: `<url>; rel="next"; results="true"; cursor="..."`. */
export function parseLink(header: string | null): { next: string | null; previous: string | null } {
  const out = { next: null as string | null, previous: null as string | null };
  if (!header) return out;
  for (const part of header.split(/,\s*(?=<)/)) {
    const rel = /rel="(next|previous)"/.exec(part)?.[1] as 'next' | 'previous' | undefined;
    const results = /results="(true|false)"/.exec(part)?.[1];
    const cursor = /cursor="([^"]*)"/.exec(part)?.[1];
    if (rel && results === 'true' && cursor) out[rel] = cursor;
  }
  return out;
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/0${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, detail);
  }
  return res;
}

export async function get<T>(path: string): Promise<T> {
  const res = await request('GET', path);
  return (await res.json()) as T;
}

export async function getPage<T>(path: string): Promise<Page<T>> {
  const res = await request('GET', path);
  return { items: (await res.json()) as T[], ...parseLink(res.headers.get('link')) };
}

export async function send<T = unknown>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (res.status === 204 || res.status === 202) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export function qs(params: Record<string, string | number | null | undefined | Array<string | number>>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v) u.append(k, String(x));
    else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// ---------------------------------------------------------------- shapes (Sentry's)

export interface Organization {
  id: string;
  slug: string;
  name: string;
}

export interface SessionInfo {
  user: { id: string; email: string; name: string };
  organizations: Array<Organization & { role: string }>;
  csrfToken: string;
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  teams?: Array<{ id: string; slug: string; name: string }>;
}

export interface Assignee {
  type: 'user' | 'team';
  id: string;
  name: string;
  email?: string;
}

export interface Issue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: string;
  status: 'unresolved' | 'resolved' | 'ignored';
  substatus: string | null;
  statusDetails: Record<string, unknown>;
  project: { id: string; slug: string; name: string };
  metadata: { type?: string; value?: string; filename?: string; function?: string };
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  numComments?: number;
  assignedTo?: Assignee | null;
  stats?: Record<string, Array<[number, number]>>;
  firstRelease?: { version: string } | null;
}

export interface EventSummary {
  id: string;
  eventID: string;
  groupID: string;
  title: string;
  message: string;
  dateCreated: string;
  environment: string | null;
  release: string | null;
  user: Record<string, unknown> | null;
  tags: Array<{ key: string; value: string }>;
}

export interface Frame {
  filename?: string;
  abs_path?: string;
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  vars?: Record<string, unknown>;
}

export interface ExceptionValue {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: { type?: string; handled?: boolean };
  stacktrace?: { frames: Frame[] };
}

export interface Breadcrumb {
  timestamp?: number | string;
  type?: string;
  category?: string;
  message?: string;
  level?: string;
  data?: Record<string, unknown>;
}

export interface FullEvent extends EventSummary {
  platform: string | null;
  culprit: string | null;
  location: string | null;
  metadata: Record<string, unknown> | null;
  entries: Array<{ type: string; data: any }>;
  contexts: Record<string, Record<string, unknown>>;
  context: Record<string, unknown>;
  sdk: { name: string | null; version: string | null } | null;
  dist: string | null;
  release: any;
  fingerprints: string[];
  previousEventID: string | null;
  nextEventID: string | null;
  projectID: string;
}

export interface Tag {
  key: string;
  name: string;
  totalValues: number;
  uniqueValues: number;
  topValues: Array<{ value: string; count: number }>;
}

export interface ProjectKey {
  id: string;
  name: string;
  public: string;
  isActive: boolean;
  dsn: { public: string };
}
