// The public functions, shared by the Node and browser entries. They act on the one client and the
// current scope (hub.ts). Before `init` (or with `enabled: false`) they do nothing.

import { getCurrentScope, hub } from './hub.js';
import { fmt } from './logs.js';
import { Scope } from './scope.js';
import { parseStack } from './stack.js';
import type { Breadcrumb, CaptureHint, Level, LogAttributes, Logger, LogLevel, ParameterizedString, Primitive, StackFrame, User } from './types.js';
import { isError, safe } from './util.js';

/** Frames of a stack taken in a public function, without that function's own frame. */
const callerFrames = (e: Error): StackFrame[] => parseStack(e.stack).slice(0, -1);

/** Reports an error (or anything thrown). Returns the event id ('' when not sent). */
export function captureException(error: unknown, hint?: CaptureHint): string {
  const c = hub().client;
  const here = new Error();
  return (c && safe(() => c.captureException(error, getCurrentScope(), hint, undefined, isError(error) ? undefined : callerFrames(here)))) || '';
}

/** Reports a message (level `info` unless given); ``logger.fmt`…` `` messages group by template. */
export function captureMessage(message: string | ParameterizedString, levelOrHint?: Level | CaptureHint): string {
  const c = hub().client;
  const here = new Error();
  const hint = typeof levelOrHint === 'object' ? levelOrHint || undefined : undefined;
  const level = typeof levelOrHint === 'string' ? levelOrHint : hint?.level;
  return (c && safe(() => c.captureMessage(message, getCurrentScope(), level, hint, callerFrames(here)))) || '';
}

// Scope setters never throw into the app, whatever they are given.
export function setUser(user: User | null): void {
  safe(() => getCurrentScope().setUser(user));
}

export function setTag(key: string, value: Primitive): void {
  safe(() => getCurrentScope().setTag(key, value));
}

export function setTags(tags: Record<string, Primitive>): void {
  safe(() => getCurrentScope().setTags(tags));
}

export function setContext(name: string, context: Record<string, unknown> | null): void {
  safe(() => getCurrentScope().setContext(name, context));
}

export function setExtra(key: string, value: unknown): void {
  safe(() => getCurrentScope().setExtra(key, value));
}

export function setExtras(extras: Record<string, unknown>): void {
  safe(() => getCurrentScope().setExtras(extras));
}

export function addBreadcrumb(breadcrumb: Breadcrumb): void {
  safe(() => getCurrentScope().addBreadcrumb(breadcrumb));
}

/**
 * Runs `fn` with a copy of the current scope: what it sets stays inside. On Node the copy follows
 * the callback's async work too; in browsers only its synchronous part.
 */
export function withScope<T>(fn: (scope: Scope) => T): T {
  const scope = getCurrentScope().clone();
  return hub().carrier.run(scope, () => fn(scope));
}

/** Sends everything buffered; resolves true once all is out, false after `timeout` ms (0: no limit). */
export function flush(timeout?: number): Promise<boolean> {
  return hub().client?.flush(timeout) ?? Promise.resolve(true);
}

/** Flushes, then turns the SDK off and removes its handlers. */
export function close(timeout?: number): Promise<boolean> {
  const c = hub().client;
  return c ? c.close(timeout) : Promise.resolve(true);
}

const log = (level: LogLevel) => (message: string | ParameterizedString, attributes?: LogAttributes) => hub().client?.captureLog(level, message, attributes, getCurrentScope());

export const logger: Logger = {
  trace: log('trace'),
  debug: log('debug'),
  info: log('info'),
  warn: log('warn'),
  error: log('error'),
  fatal: log('fatal'),
  fmt,
};

export { getCurrentScope, Scope };
