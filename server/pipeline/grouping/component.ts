// Building, flattening and hashing component trees (Sentry `grouping/component.py`,
// `utils.hash_from_values`).

import { hash } from 'node:crypto';
import type { GroupingComponent } from './types.ts';

/**
 * A component contributes when at least one of its values does (a leaf string always
 * does). Children are final when the parent is built, so this is exact. Every component
 * has the same property order (one hidden class); an undefined name/hint vanishes in JSON.
 */
export function component(id: string, values: Array<GroupingComponent | string>, hint?: string, name?: string): GroupingComponent {
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string' || v.contributes) {
      any = true;
      break;
    }
  }
  return { id, name, contributes: any, hint, values };
}

/** A component that is shown but switched off, with the reason. */
export function off(id: string, values: Array<GroupingComponent | string>, hint: string, name?: string): GroupingComponent {
  return { id, name, contributes: false, hint, values };
}

/** A copy that no longer contributes. Keeps an existing hint unless a new one is given. */
export function disabled(c: GroupingComponent, hint?: string | null): GroupingComponent {
  return { id: c.id, name: c.name, contributes: false, hint: hint || c.hint, values: c.values };
}

/** Leaf values of all contributing components, in tree order. */
export function flatten(c: GroupingComponent, out: string[] = []): string[] {
  if (!c.contributes) return out;
  for (const v of c.values) {
    if (typeof v === 'string') out.push(v);
    else if (v.contributes) flatten(v, out);
  }
  return out;
}

/** md5 hex of the UTF-8 concatenation of the values (no separator), like Sentry. */
export function hashValues(values: readonly string[]): string {
  // One-shot crypto.hash (Node ≥ 20.12): a few times cheaper than createHash() per call.
  return hash('md5', values.join(''), 'hex');
}

/** Whether a contributing `stacktrace` component sits anywhere under contributing nodes. */
export function hasContributingStacktrace(c: GroupingComponent): boolean {
  if (!c.contributes) return false;
  if (c.id === 'stacktrace') return true;
  for (const v of c.values) {
    if (typeof v !== 'string' && v.contributes && hasContributingStacktrace(v)) return true;
  }
  return false;
}

/**
 * Sentry's `remove_non_stacktrace_variants`: when some variant has a contributing stack
 * trace, the variants without one stop contributing.
 */
export function removeNonStacktraceVariants(variants: Record<string, GroupingComponent>): Record<string, GroupingComponent> {
  const names = Object.keys(variants);
  if (names.length <= 1) return variants;
  const withStack = names.filter((n) => hasContributingStacktrace(variants[n]));
  if (!withStack.length) return variants;
  const suffix = withStack.length === 1 ? `the ${withStack[0]} variant does` : 'others do';
  const out: Record<string, GroupingComponent> = {};
  for (const n of names) {
    out[n] = withStack.includes(n)
      ? variants[n]
      : disabled(variants[n], `ignored because this variant does not have a contributing stacktrace, but ${suffix}`);
  }
  return out;
}
