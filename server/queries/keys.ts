// DSN keys of a project, shaped like Sentry's `GET /api/0/projects/{org}/{project}/keys/`.
import { and, asc, eq } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { projectKeys } from '../db/schema.ts';

/** `https://<public_key>@<host>[/prefix]/<project_id>` (protocol doc §1.1): no secret, any path prefix kept. */
export function dsnFor(publicUrl: string, publicKey: string, projectId: number): string {
  const url = new URL(publicUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${publicKey}@${url.host}${prefix}/${projectId}`;
}

export type KeyRow = typeof projectKeys.$inferSelect;

export function serializeKey(key: KeyRow, publicUrl: string) {
  const dsn = dsnFor(publicUrl, key.publicKey, key.projectId);
  const base = publicUrl.replace(/\/+$/, '');
  return {
    id: key.publicKey,
    name: key.label,
    label: key.label,
    public: key.publicKey,
    secret: key.secretKey,
    projectId: key.projectId,
    isActive: key.isActive,
    dateCreated: key.createdAt.toISOString(),
    dsn: {
      public: dsn,
      secret: dsn.replace(`//${key.publicKey}@`, `//${key.publicKey}:${key.secretKey}@`),
      store: `${base}/api/${key.projectId}/store/`,
      envelope: `${base}/api/${key.projectId}/envelope/`,
    },
    browserSdkVersion: null,
    rateLimit: null,
  };
}

export async function listProjectKeys(orm: Orm, projectId: number): Promise<KeyRow[]> {
  return orm.select().from(projectKeys).where(eq(projectKeys.projectId, projectId)).orderBy(asc(projectKeys.id));
}

export async function getProjectKey(orm: Orm, projectId: number, publicKey: string): Promise<KeyRow | undefined> {
  const [row] = await orm
    .select()
    .from(projectKeys)
    .where(and(eq(projectKeys.projectId, projectId), eq(projectKeys.publicKey, publicKey)))
    .limit(1);
  return row;
}
