// Threads and top-level stacktrace strategies (§6.4, Sentry threads:v1 / stacktrace:v1).

import { component, off, removeNonStacktraceVariants } from './component.ts';
import { stacktraceVariants } from './stacktrace.ts';
import type { NormalizedEvent, NormalizedThread } from '../normalize.ts';
import type { ComponentsByVariant } from './types.ts';

/** The crashed thread, else the current one, else the only one; each must be unique. */
export function groupingThread(threads: NormalizedThread[]): NormalizedThread | null {
  const crashed = threads.filter((t) => t.crashed === true);
  if (crashed.length === 1) return crashed[0];
  if (crashed.length > 1) return null;
  const current = threads.filter((t) => t.current === true);
  if (current.length === 1) return current[0];
  if (current.length > 1) return null;
  return threads.length === 1 ? threads[0] : null;
}

export function threadsVariants(event: NormalizedEvent): ComponentsByVariant | null {
  const threads = event.threads?.values;
  if (!threads?.length) return null;
  const thread = groupingThread(threads);
  if (!thread) {
    const c = off('threads', [], `ignored because it contains ${threads.length} threads and none is the single crashed or current one`);
    return { app: c, system: c };
  }
  if (!thread.stacktrace) {
    const c = off('threads', [], 'ignored because the thread has no stacktrace');
    return { app: c, system: c };
  }
  const stacks = stacktraceVariants(thread.stacktrace, event.platform);
  return removeNonStacktraceVariants({
    app: component('threads', [stacks.app]),
    system: component('threads', [stacks.system]),
  });
}

export function stacktraceStrategy(event: NormalizedEvent): ComponentsByVariant | null {
  if (!event.stacktrace) return null;
  const stacks = stacktraceVariants(event.stacktrace, event.platform);
  return removeNonStacktraceVariants({ app: stacks.app, system: stacks.system });
}
