// Message and template strategies (§6.4, Sentry message:v1 / template:v1): the `default`
// variant of events without exceptions or stack traces.

import { component } from './component.ts';
import { replaceVariables, trimToTwoLines } from './parameterize.ts';
import type { NormalizedEvent } from '../normalize.ts';
import type { ComponentsByVariant, GroupingComponent } from './types.ts';

/** Per-event state of one groupEvent call. */
export interface GroupingState {
  /** Characters of text that may still be parameterized (bounds regex work per event). */
  paramBudget: number;
}

/** Parameterization work per event: ≤ 16 KiB of text, ≤ 4 KiB per value. */
export const PARAM_BUDGET = 16 * 1024;
const MAX_PARAM_TEXT = 4096;
const MIN_PARAM_TEXT = 256;

/**
 * §6.6 normalization of a message or exception value for grouping. Only the first 4 KiB
 * (less once an event has used its 16 KiB budget) of the two-line-trimmed text is
 * parameterized and hashed: this bounds regex work per event and stays deterministic.
 */
export function normalizeText(state: GroupingState, text: string): string {
  const cap = Math.min(MAX_PARAM_TEXT, Math.max(MIN_PARAM_TEXT, state.paramBudget));
  let t = trimToTwoLines(text);
  if (t.length > cap) t = t.slice(0, cap);
  state.paramBudget -= t.length;
  return replaceVariables(t);
}

export function messageVariants(event: NormalizedEvent, state: GroupingState): ComponentsByVariant | null {
  const entry = event.logentry;
  if (!entry) return null;
  const raw = entry.message ?? entry.formatted;
  const normalized = raw ? normalizeText(state, raw) : '';
  const c: GroupingComponent = component('message', normalized ? [normalized] : [], normalized && normalized !== raw ? 'stripped event-specific values' : undefined);
  return { default: c };
}

export function templateVariants(event: NormalizedEvent): ComponentsByVariant | null {
  const t = event.template;
  if (!t) return null;
  const values: GroupingComponent[] = [];
  if (t.filename) {
    const parts = t.filename.split(/[/\\]/);
    values.push(component('filename', [parts[parts.length - 1]]));
  }
  if (t.context_line) values.push(component('context-line', [t.context_line]));
  return { default: component('template', values) };
}
