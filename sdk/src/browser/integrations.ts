// What the browser entry installs: `error` and `unhandledrejection` handlers; console, click,
// navigation, fetch and XHR breadcrumbs; a flush of buffered logs and drop counts when the page is
// hidden. Wrappers pass straight through once the SDK is closed; listeners are removed.

import { addBreadcrumb, getCurrentScope } from '../api.js';
import type { Client } from '../client.js';
import type { Level, StackFrame } from '../types.js';
import { isError } from '../util.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const W = globalThis as Any;

const crumb = (active: () => unknown, b: Parameters<typeof addBreadcrumb>[0]) => {
  try {
    if (active()) addBreadcrumb(b);
  } catch {
    // never in the way of the page
  }
};
const statusLevel = (s: number): Level | undefined => (s >= 500 ? 'error' : s >= 400 ? 'warning' : undefined);

function wrap(obj: Any, name: string, make: (original: Any) => Any): void {
  const original = obj && obj[name];
  if (typeof original === 'function') obj[name] = make(original);
}

/** `tag#id.class[name="x"]` of the element and up to four ancestors below `html`, like Sentry's `htmlTreeAsString`. */
export function describeElement(el: Any): string {
  const out: string[] = [];
  for (let i = 0; el && el.tagName && i < 5; i++, el = el.parentNode) {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    if (typeof el.className === 'string' && el.className.trim()) s += `.${el.className.trim().split(/\s+/).join('.')}`;
    for (const a of ['type', 'name', 'title', 'alt']) {
      const v = el.getAttribute && el.getAttribute(a);
      if (v) s += `[${a}="${v}"]`;
    }
    if (s === 'html' || (out.length && out.join(' > ').length + 3 + s.length >= 80)) break;
    out.unshift(s);
  }
  return out.join(' > ');
}

export function installBrowserIntegrations(getClient: () => Client | undefined): () => void {
  const active = getClient;
  const off: Array<() => void> = [];
  const listen = (target: Any, type: string, fn: (e: Any) => void, capture?: boolean) => {
    if (!target || !target.addEventListener) return;
    target.addEventListener(type, fn, capture);
    off.push(() => target.removeEventListener(type, fn, capture));
  };
  const capture = (thrown: unknown, type: string, frames?: StackFrame[]) => getClient()?.captureException(thrown, getCurrentScope(), undefined, { type: `auto.browser.global_handlers.${type}`, handled: false }, frames);

  listen(W, 'error', (e: Any) => {
    const frame: StackFrame = { filename: e.filename || (W.location && W.location.href), function: '?', lineno: e.lineno || undefined, colno: e.colno || undefined };
    capture(e.error === undefined || e.error === null ? e.message : e.error, 'onerror', [frame]);
  });
  listen(W, 'unhandledrejection', (e: Any) => capture(e.reason, 'onunhandledrejection', []));

  const flushNow = () => {
    const c = getClient();
    c?.flushLogs();
    c?.sendClientReport();
  };
  listen(W, 'pagehide', flushNow);
  listen(W.document, 'visibilitychange', () => W.document.visibilityState === 'hidden' && flushNow());

  const con = W.console;
  for (const name of ['debug', 'info', 'log', 'warn', 'error']) {
    wrap(con, name, (original) =>
      function (this: unknown, ...args: unknown[]) {
        crumb(active, {
          category: 'console',
          level: name === 'warn' ? 'warning' : name === 'log' ? 'info' : (name as Level),
          message: args
            .map((a) => {
              try {
                return typeof a === 'string' ? a : isError(a) ? `${a.name}: ${a.message}` : JSON.stringify(a) ?? String(a);
              } catch {
                return String(a);
              }
            })
            .join(' ')
            .slice(0, 1000),
          data: { logger: 'console' },
        });
        return original.apply(this, args);
      },
    );
  }

  listen(W.document, 'click', (e: Any) => crumb(active, { category: 'ui.click', message: describeElement(e.target) }), true);

  const loc = W.location;
  if (loc && W.history) {
    let last = loc.href;
    const rel = (u: string) => {
      try {
        const url = new URL(u, loc.href);
        return url.origin === loc.origin ? url.pathname + url.search + url.hash : url.href;
      } catch {
        return u;
      }
    };
    const nav = (to: string) => {
      const from = last;
      last = to;
      if (from !== to) crumb(active, { category: 'navigation', data: { from: rel(from), to: rel(to) } });
    };
    for (const name of ['pushState', 'replaceState']) {
      wrap(W.history, name, (original) =>
        function (this: unknown, ...args: unknown[]) {
          const r = original.apply(this, args);
          if (args[2] != null) nav(String(new URL(String(args[2]), loc.href)));
          return r;
        },
      );
    }
    listen(W, 'popstate', () => nav(loc.href));
  }

  wrap(W, 'fetch', (original) =>
    function (this: unknown, input: Any, init?: Any) {
      const p = original.apply(this, arguments);
      try {
        const method = String((init && init.method) || (input && input.method) || 'GET').toUpperCase();
        const url = String(typeof input === 'string' || !input || !input.url ? input : input.url).split(/[?#]/)[0];
        p.then(
          (r: Response) => crumb(active, { type: 'http', category: 'fetch', data: { method, url, status_code: r.status }, level: statusLevel(r.status) }),
          () => crumb(active, { type: 'http', category: 'fetch', data: { method, url }, level: 'error' }),
        );
      } catch {
        // the request goes on without a breadcrumb
      }
      return p;
    },
  );

  // readyState 4 comes before `load`/`loadend`, and the listener is added in `open`, before the
  // page's own handlers: the breadcrumb is there when the page reacts to the answer.
  const xhr = W.XMLHttpRequest && W.XMLHttpRequest.prototype;
  const requests = new WeakMap<object, [string, string]>();
  wrap(xhr, 'open', (original) =>
    function (this: Any, method: unknown, url: unknown) {
      try {
        if (!requests.has(this))
          this.addEventListener('readystatechange', () => {
            const r = requests.get(this);
            if (r && this.readyState === 4) crumb(active, { type: 'http', category: 'xhr', data: { method: r[0], url: r[1], status_code: this.status }, level: this.status ? statusLevel(this.status) : 'error' });
          });
        requests.set(this, [String(method).toUpperCase(), String(url).split(/[?#]/)[0]]);
      } catch {
        // the request goes on without a breadcrumb
      }
      return original.apply(this, arguments);
    },
  );

  return () => off.splice(0).forEach((f) => f());
}
