// Node entry (`@faultline/sdk` under the `node` condition, or `@faultline/sdk/node`).
//
//   import * as Faultline from '@faultline/sdk';
//   Faultline.init({ dsn: process.env.FAULTLINE_DSN, release: '1.4.2' });

import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import { initClient, type ScopeCarrier } from '../hub.js';
import type { Scope } from '../scope.js';
import type { Options } from '../types.js';
import { SDK_VERSION } from '../util.js';
import { createNodeContexts } from './context.js';
import { addContextLines, nodeFrameMapper } from './frames.js';
import { installProcessHandlers, instrumentConsole, instrumentHttp } from './integrations.js';
import { nodeRequest } from './transport.js';

export * from '../api.js';
export type * from '../types.js';

export const SDK_NAME = 'faultline.javascript.node';

/** The current scope follows async work: `withScope(async (scope) => ...)` keeps it across awaits. */
function asyncCarrier(root: Scope): ScopeCarrier {
  const als = new AsyncLocalStorage<Scope>();
  return { current: () => als.getStore() ?? root, run: (scope, fn) => als.run(scope, fn) };
}

/** Starts the SDK. Without a valid `dsn` (or with `enabled: false`) it stays a no-op. Calling it again replaces the previous setup. */
export function init(options: Options = {}): void {
  try {
    initClient(
      options,
      (getClient) => {
        const contexts = createNodeContexts();
        const undo: Array<() => void> = [];
        if (options.defaultIntegrations !== false) {
          const active = () => getClient() !== undefined;
          undo.push(installProcessHandlers(getClient), instrumentConsole(active), instrumentHttp(active));
        }
        let hostname: string | undefined;
        try {
          hostname = os.hostname();
        } catch {
          // none then
        }
        return {
          name: 'node',
          sdkName: SDK_NAME,
          makeRequest: nodeRequest(`${SDK_NAME}/${SDK_VERSION}`),
          sendTimeout: 10_000,
          mapFrame: nodeFrameMapper(),
          serverName: hostname,
          async process(event) {
            event.contexts = { ...contexts(), ...event.contexts };
            await addContextLines(event);
          },
          teardown: () => undo.splice(0).forEach((u) => u()),
        };
      },
      asyncCarrier,
    );
  } catch {
    // never into the host
  }
}
