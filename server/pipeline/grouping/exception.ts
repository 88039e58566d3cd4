// Exception strategy (§6.3, Sentry single-exception:v1 / chained-exception:v1):
// `exception = [type, value, (ns-error), stacktrace]` per exception; a chain contributes
// every exception in list order, so a different cause makes a different group.
//
// Exception groups (mechanism.exception_id/parent_id trees) are not filtered yet: every
// exception of the list contributes, as for a plain chain (§6.3 allows deferring this).

import { component, off, removeNonStacktraceVariants } from './component.ts';
import { normalizeText, type GroupingState } from './message.ts';
import { stacktraceVariants } from './stacktrace.ts';
import type { NormalizedException, NormalizedEvent } from '../normalize.ts';
import type { ComponentsByVariant, GroupingComponent } from './types.ts';

const VARIANTS = ['app', 'system'] as const;
/** Shown (not hashed) when the value is ignored; keeps the stored tree small. */
const MAX_SHOWN_VALUE = 200;

function nsErrorComponent(exc: NormalizedException): GroupingComponent | null {
  const ns = exc.mechanism?.meta?.ns_error;
  if (!ns || typeof ns !== 'object' || Array.isArray(ns)) return null;
  const values: GroupingComponent[] = [];
  const domain = ns.domain;
  if (typeof domain === 'string' || typeof domain === 'number') values.push(component('ns-error-domain', [String(domain)]));
  const code = ns.code;
  if (typeof code === 'string' || typeof code === 'number') values.push(component('ns-error-code', [String(code)]));
  return component('ns-error', values);
}

function singleException(exc: NormalizedException, platform: string, state: GroupingState): Record<'app' | 'system', GroupingComponent> {
  const synthetic = exc.mechanism?.synthetic === true;
  const typeValues = exc.type ? [exc.type] : [];
  const type = synthetic ? off('type', typeValues, 'ignored because exception is synthetic') : component('type', typeValues);
  const nsError = nsErrorComponent(exc);
  const stacks = stacktraceVariants(exc.stacktrace, platform);
  let normalized: string | undefined;

  const out = {} as Record<'app' | 'system', GroupingComponent>;
  for (const variant of VARIANTS) {
    const stack = stacks[variant];
    let value: GroupingComponent;
    if (!exc.value) value = component('value', []);
    else if (stack.contributes) {
      value = off('value', [exc.value.slice(0, MAX_SHOWN_VALUE)], 'ignored because stacktrace takes precedence');
    } else if (nsError?.contributes) {
      value = off('value', [exc.value.slice(0, MAX_SHOWN_VALUE)], 'ignored because ns-error info takes precedence');
    } else {
      normalized ??= normalizeText(state, exc.value);
      value = component('value', normalized ? [normalized] : [], normalized !== exc.value ? 'stripped event-specific values' : undefined);
    }
    const values = nsError ? [type, value, nsError, stack] : [type, value, stack];
    out[variant] = component('exception', values, undefined, 'exception');
  }
  return out;
}

export function exceptionVariants(event: NormalizedEvent, state: GroupingState): ComponentsByVariant | null {
  const exceptions = event.exception?.values;
  if (!exceptions?.length) return null;
  const per = exceptions.map((e) => singleException(e, event.platform, state));
  const variants: ComponentsByVariant = {};
  for (const variant of VARIANTS) {
    variants[variant] = per.length === 1
      ? per[0][variant]
      : component('chained-exception', per.map((p) => p[variant]), undefined, 'chained exception');
  }
  return removeNonStacktraceVariants(variants);
}
