// Request bodies validated with zod; a bad body is a 400 that names the field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors.ts';

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  const text = await c.req.text(); // size-capped by the bodyLimit middleware in api/index.ts
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'request body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ApiError(400, `${first.path.join('.') || 'body'}: ${first.message}`);
  }
  return result.data;
}
