// What the Node entry installs: uncaught exception and unhandled rejection handlers that report,
// flush, and then leave the process to do what Node would have done; console and outgoing HTTP
// breadcrumbs; a last send of buffered logs and drop counts before the process exits.

import dc from 'node:diagnostics_channel';
import { format, inspect } from 'node:util';
import { addBreadcrumb, getCurrentScope } from '../api.js';
import type { Client } from '../client.js';
import type { Level } from '../types.js';
import { isError } from '../util.js';
import { ownRequests } from './transport.js';

/** How long a dying process waits for its last events (Sentry's `shutdownTimeout`). */
export const SHUTDOWN_TIMEOUT = 2000;

/** `--unhandled-rejections=<mode>` from the command line or NODE_OPTIONS; Node's default is `throw`. */
export function rejectionMode(): string {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (const f of flags) {
    const m = /^--unhandled-rejections=([\w-]+)$/.exec(f);
    if (m) return m[1];
  }
  return 'throw';
}

export function installProcessHandlers(getClient: () => Client | undefined): () => void {
  let dying = false;

  const onUncaught = (error: unknown) => {
    getClient()?.captureException(error, getCurrentScope(), undefined, { type: 'auto.node.onuncaughtexception', handled: false }, [], 'fatal');
    // With another handler the app has taken over, and Node would not exit either.
    if (process.listeners('uncaughtException').some((l) => l !== onUncaught) || dying) return;
    dying = true;
    const exit = () => {
      process.off('uncaughtException', onUncaught);
      // Thrown again with no handler left: Node prints it and exits with code 1, as it would have
      // (also honouring --abort-on-uncaught-exception and diagnostic reports). Node's arrow points here.
      setImmediate(() => {
        throw error; // @faultline/sdk reported this error, then rethrew it so that Node's default handling applies
      });
    };
    const client = getClient();
    (client ? client.flush(SHUTDOWN_TIMEOUT) : Promise.resolve(true)).then(exit, exit);
  };

  const onRejection = (reason: unknown) => {
    getClient()?.captureException(reason, getCurrentScope(), undefined, { type: 'auto.node.onunhandledrejection', handled: false }, []);
    if (process.listeners('unhandledRejection').some((l) => l !== onRejection)) return;
    const mode = rejectionMode();
    if (mode === 'none') return;
    if (mode === 'warn' || mode === 'warn-with-error-code') {
      if (mode === 'warn-with-error-code') process.exitCode = 1;
      process.emitWarning(`Unhandled promise rejection: ${isError(reason) ? reason.stack : inspect(reason)}`, 'UnhandledPromiseRejectionWarning');
      return;
    }
    // `throw` and `strict`: what Node does without a listener, raise it as an uncaught exception.
    const error = isError(reason)
      ? reason
      : Object.assign(new Error(`This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${inspect(reason)}".`), { code: 'ERR_UNHANDLED_REJECTION' });
    if (error !== reason) getClient()?.markCaptured(error); // its reason was reported above
    setImmediate(() => {
      throw error;
    });
  };

  const onBeforeExit = () => {
    const client = getClient();
    client?.flushLogs();
    client?.sendClientReport();
  };

  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  process.on('beforeExit', onBeforeExit);
  return () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    process.off('beforeExit', onBeforeExit);
  };
}

const CONSOLE_LEVELS: Record<string, Level> = { debug: 'debug', info: 'info', log: 'info', warn: 'warning', error: 'error' };

/** Console calls become breadcrumbs; the console still prints as before. */
export function instrumentConsole(active: () => boolean): () => void {
  const restore: Array<() => void> = [];
  const con = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const name of Object.keys(CONSOLE_LEVELS)) {
    const original = con[name];
    if (typeof original !== 'function') continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      if (active()) {
        try {
          addBreadcrumb({ category: 'console', level: CONSOLE_LEVELS[name], message: format(...args), data: { logger: 'console' } });
        } catch {
          // never in the way of the console
        }
      }
      return original.apply(this, args);
    };
    con[name] = wrapped;
    restore.push(() => {
      if (con[name] === wrapped) con[name] = original;
    });
  }
  return () => restore.forEach((r) => r());
}

const statusLevel = (status: number): Level | undefined => (status >= 500 ? 'error' : status >= 400 ? 'warning' : undefined);
const stripQuery = (url: string) => url.split(/[?#]/)[0];

/**
 * Outgoing requests become breadcrumbs, from Node's diagnostics channels (node:http/https and the
 * built-in fetch), so nothing of the app's is patched. The SDK's own requests are left out.
 */
export function instrumentHttp(active: () => boolean): () => void {
  type HttpMsg = { request: { method?: string; protocol?: string; host?: string; path?: string; getHeader?(n: string): unknown }; response: { statusCode?: number } };
  type FetchMsg = { request: { method?: string; origin?: string; path?: string }; response?: { statusCode?: number }; error?: unknown };
  const crumb = (method: string | undefined, url: string, status?: number, failed?: boolean) => {
    try {
      if (!active()) return;
      const data: Record<string, unknown> = { method: method ?? 'GET', url: stripQuery(url) };
      if (status !== undefined) data.status_code = status;
      addBreadcrumb({ type: 'http', category: 'http', data, level: failed ? 'error' : statusLevel(status ?? 0) });
    } catch {
      // never in the way of the request
    }
  };
  const onHttp = (m: unknown) => {
    const { request, response } = m as HttpMsg;
    if (ownRequests.has(request)) return;
    const host = String(request.getHeader?.('host') ?? request.host ?? '');
    crumb(request.method, `${request.protocol ?? 'http:'}//${host}${request.path ?? ''}`, response?.statusCode);
  };
  const onFetch = (m: unknown) => {
    const { request, response } = m as FetchMsg;
    crumb(request.method, `${request.origin ?? ''}${request.path ?? ''}`, response?.statusCode);
  };
  const onFetchError = (m: unknown) => {
    const { request } = m as FetchMsg;
    crumb(request.method, `${request.origin ?? ''}${request.path ?? ''}`, undefined, true);
  };
  const subs: Array<[string, (m: unknown) => void]> = [
    ['http.client.response.finish', onHttp],
    ['undici:request:headers', onFetch],
    ['undici:request:error', onFetchError],
  ];
  for (const [name, fn] of subs) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of subs) dc.unsubscribe(name, fn);
  };
}
