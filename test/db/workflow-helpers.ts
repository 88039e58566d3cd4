// Shared by the issue workflow tests (workflow-*.test.ts): send real events through the store
// endpoint, digest them, and read issues and activity through the web API.
import { expect } from 'vitest';
import { FIXTURE_KEY, type TestServer } from '../helpers/server.ts';

export interface Issue {
  id: string;
  title: string;
  status: string;
  substatus: string | null;
  statusDetails: Record<string, any>;
  count: string;
  userCount: number;
  assignedTo: { type: string; id: string; name: string; email?: string } | null;
  numComments: number;
  firstSeen: string;
  lastSeen: string;
  project: { id: string; slug: string };
}

export interface Activity {
  id: string;
  type: string;
  user: { id: string; email: string } | null;
  data: Record<string, any>;
  dateCreated: string;
}

/** An exception event that groups by type and value (no stack trace). */
export const exc = (type: string, value = 'boom', extra: Record<string, unknown> = {}) => ({ exception: { values: [{ type, value }] }, ...extra });

export function workflow(s: TestServer) {
  const w = {
    /** Stores one event in a project (default: project 1 through the fixture key); returns its id. */
    async store(event: Record<string, unknown>, project: { id: string | number; key: string } = { id: 1, key: FIXTURE_KEY }): Promise<string> {
      const res = await s.req(`/api/${project.id}/store/?sentry_key=${project.key}`, { method: 'POST', body: JSON.stringify(event) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    },
    async issueIdOf(eventId: string): Promise<string> {
      const [row] = await s.tdb.db.query<{ issue_id: number }>('SELECT issue_id FROM events WHERE event_id = $1::uuid', [eventId]);
      expect(row, `event ${eventId} stored`).toBeDefined();
      return String(row.issue_id);
    },
    async issue(id: string, token?: string): Promise<Issue> {
      const res = await s.api<Issue>(`/issues/${id}/`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    /** Stores, digests, and returns the event's issue as the API shows it. */
    async send(event: Record<string, unknown>, project?: { id: string | number; key: string }): Promise<Issue> {
      const id = await w.store(event, project);
      await s.drain();
      return w.issue(await w.issueIdOf(id));
    },
    async put(id: string, json: unknown) {
      return s.api(`/issues/${id}/`, { method: 'PUT', json });
    },
    async activities(id: string, token?: string): Promise<Activity[]> {
      const res = await s.api<{ activity: Activity[] }>(`/issues/${id}/activities/`, { token });
      expect(res.status).toBe(200);
      return res.body.activity;
    },
    /** A new project of the default team, with its DSN key. */
    async createProject(name: string): Promise<{ id: string; slug: string; key: string }> {
      const created = await s.api('/teams/faultline/faultline/projects/', { method: 'POST', json: { name } });
      expect(created.status).toBe(201);
      const [key] = await s.tdb.db.query<{ public_key: string }>('SELECT public_key FROM project_keys WHERE project_id = $1', [Number(created.body.id)]);
      return { id: created.body.id, slug: created.body.slug, key: key.public_key };
    },
    /** Ids of the issues a search lists (every status unless the query says). */
    async search(query: string, token?: string): Promise<string[]> {
      const res = await s.api<Issue[]>(`/organizations/faultline/issues/?limit=100&query=${encodeURIComponent(query)}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.map((i) => i.id).sort();
    },
  };
  return w;
}
