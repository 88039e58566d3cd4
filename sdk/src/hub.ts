// The SDK's one piece of global state: the client and the scopes, kept on `globalThis` so that an
// app which ends up with both the ESM and the CJS build still has one SDK.

import { Client, type Platform } from './client.js';
import { parseDsn } from './dsn.js';
import { Scope } from './scope.js';
import type { Options } from './types.js';
import { originalConsole } from './util.js';

/** Where the current scope lives: a stack in browsers, AsyncLocalStorage on Node. */
export interface ScopeCarrier {
  current(): Scope;
  run<T>(scope: Scope, fn: () => T): T;
}

interface Hub {
  client?: Client;
  root: Scope;
  carrier: ScopeCarrier;
}

export function stackCarrier(root: Scope): ScopeCarrier {
  const stack = [root];
  return {
    current: () => stack[stack.length - 1],
    run(scope, fn) {
      stack.push(scope);
      try {
        return fn();
      } finally {
        stack.pop();
      }
    },
  };
}

const G = globalThis as { __faultline__?: Hub };

export function hub(): Hub {
  if (!G.__faultline__) {
    const root = new Scope();
    G.__faultline__ = { root, carrier: stackCarrier(root) };
  }
  return G.__faultline__;
}

/** For platform entries: replaces any previous client. Returns the new one, or undefined when off. */
export function initClient(options: Options, platform: (client: () => Client | undefined) => Platform, carrier?: (root: Scope) => ScopeCarrier): Client | undefined {
  const h = hub();
  if (h.client) {
    h.client.enabled = false;
    h.client.platform.teardown?.();
    h.client = undefined;
  }
  if (options.enabled === false) return undefined;
  const dsn = parseDsn(options.dsn);
  if (!dsn) {
    if (options.dsn || options.debug) originalConsole.warn?.(`[faultline] no valid DSN (${String(options.dsn)}); nothing will be sent`);
    return undefined;
  }
  h.root.maxBreadcrumbs = options.maxBreadcrumbs ?? 100;
  if (carrier) h.carrier = carrier(h.root);
  let client: Client | undefined;
  client = new Client(options, dsn, platform(() => (client?.enabled ? client : undefined)));
  h.client = client;
  return client;
}

export function getCurrentScope(): Scope {
  return hub().carrier.current();
}

export function getClient(): Client | undefined {
  return hub().client;
}

