// Browser entry (`@faultline/sdk` under the `browser` condition, or `@faultline/sdk/browser`).
//
//   import * as Faultline from '@faultline/sdk';
//   Faultline.init({ dsn: 'https://<key>@errors.example.com/3', release: '1.4.2' });
//
// Sends with `fetch` (keepalive, so the last envelopes outlive the page), the body as a string and
// the auth in the query string: a CORS "simple" request, no preflight (protocol §1.4).

import { initClient } from '../hub.js';
import type { MakeRequest, Options } from '../types.js';
import { installBrowserIntegrations } from './integrations.js';

export * from '../api.js';
export type * from '../types.js';

export const SDK_NAME = 'faultline.javascript.browser';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const W = globalThis as any;

export function fetchRequest(fetchImpl: typeof fetch): MakeRequest {
  return ({ url, body, keepalive }) =>
    fetchImpl(url, { method: 'POST', body, keepalive, referrerPolicy: 'strict-origin' }).then((r) => ({
      status: r.status,
      rateLimits: r.headers.get('X-Sentry-Rate-Limits'),
      retryAfter: r.headers.get('Retry-After'),
    }));
}

const NOT_APP = /^(?:<anonymous>|\[native code\]|native$|[a-z-]+-extension:)/;

/** Starts the SDK. Without a valid `dsn` (or with `enabled: false`) it stays a no-op. Calling it again replaces the previous setup. */
export function init(options: Options = {}): void {
  try {
    // The SDK's own requests go through the fetch of before the breadcrumb wrapper.
    const nativeFetch: typeof fetch = W.fetch.bind(W);
    initClient(options, (getClient) => {
      const teardown = options.defaultIntegrations === false ? undefined : installBrowserIntegrations(getClient);
      return {
        name: 'javascript',
        sdkName: SDK_NAME,
        makeRequest: fetchRequest(nativeFetch),
        keepalive: true,
        sendTimeout: 30_000,
        mapFrame: (frame) => {
          frame.in_app = !!frame.filename && !NOT_APP.test(frame.filename);
          return frame;
        },
        process(event) {
          const loc = W.location;
          const nav = W.navigator;
          if (loc && !event.request) {
            const headers: Record<string, string> = {};
            if (nav && nav.userAgent) headers['User-Agent'] = nav.userAgent;
            if (W.document && W.document.referrer) headers.Referer = W.document.referrer;
            event.request = { url: loc.href, headers };
          }
        },
        teardown,
      };
    });
  } catch {
    // never into the host
  }
}
