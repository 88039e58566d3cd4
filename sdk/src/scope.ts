// What is known about the context an event happens in: user, tags, contexts, extra, breadcrumbs.
// One scope is current at a time; `withScope` runs a callback with a copy, so changes made inside
// stay inside. (Sentry has three kinds of scope; one is enough here.)

import type { Breadcrumb, Level, Primitive, SdkEvent, User } from './types.js';
import { normalize, nowSeconds, safe } from './util.js';

export class Scope {
  user?: User;
  tags: Record<string, string> = {};
  extra: Record<string, unknown> = {};
  contexts: Record<string, Record<string, unknown>> = {};
  breadcrumbs: Breadcrumb[] = [];
  level?: Level;
  fingerprint?: string[];
  maxBreadcrumbs = 100;

  clone(): Scope {
    const s = new Scope();
    s.user = this.user && { ...this.user };
    s.tags = { ...this.tags };
    s.extra = { ...this.extra };
    s.contexts = { ...this.contexts };
    s.breadcrumbs = this.breadcrumbs.slice();
    s.level = this.level;
    s.fingerprint = this.fingerprint;
    s.maxBreadcrumbs = this.maxBreadcrumbs;
    return s;
  }

  /** `null` forgets the user. */
  setUser(user: User | null): this {
    this.user = user ? (normalize(user, 3) as User) : undefined;
    return this;
  }

  setTag(key: string, value: Primitive): this {
    if (value === undefined || value === null) delete this.tags[key];
    else this.tags[key] = safe(() => String(value), '')!;
    return this;
  }

  setTags(tags: Record<string, Primitive>): this {
    for (const k in tags) this.setTag(k, tags[k]);
    return this;
  }

  /** A named context (`contexts.<name>` on events); `null` removes it. */
  setContext(name: string, context: Record<string, unknown> | null): this {
    if (context) this.contexts[name] = normalize(context, 4) as Record<string, unknown>;
    else delete this.contexts[name];
    return this;
  }

  setExtra(key: string, value: unknown): this {
    this.extra[key] = normalize(value);
    return this;
  }

  setExtras(extras: Record<string, unknown>): this {
    for (const k in extras) this.setExtra(k, extras[k]);
    return this;
  }

  setLevel(level: Level | undefined): this {
    this.level = level;
    return this;
  }

  setFingerprint(fingerprint: string[] | undefined): this {
    this.fingerprint = fingerprint;
    return this;
  }

  addBreadcrumb(crumb: Breadcrumb): this {
    const b = normalize({ timestamp: nowSeconds(), ...crumb }, 5) as Breadcrumb;
    if (!b || typeof b !== 'object') return this;
    this.breadcrumbs.push(b);
    if (this.breadcrumbs.length > this.maxBreadcrumbs) this.breadcrumbs.splice(0, this.breadcrumbs.length - this.maxBreadcrumbs);
    return this;
  }

  clear(): this {
    const max = this.maxBreadcrumbs;
    Object.assign(this, new Scope());
    this.maxBreadcrumbs = max;
    return this;
  }

  /** Scope data into the event: the event's own tags, extra and contexts win. (The client decides the level.) */
  applyTo(event: SdkEvent): void {
    if (this.user && !event.user) event.user = this.user;
    event.tags = { ...this.tags, ...event.tags };
    event.extra = { ...this.extra, ...event.extra };
    event.contexts = { ...this.contexts, ...event.contexts };
    if (this.fingerprint && !event.fingerprint) event.fingerprint = this.fingerprint;
    if (this.breadcrumbs.length) event.breadcrumbs = this.breadcrumbs.slice();
    for (const k of ['tags', 'extra', 'contexts'] as const) if (!Object.keys(event[k]!).length) delete event[k];
  }
}
