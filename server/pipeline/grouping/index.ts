// Grouping, protocol §6 (Sentry's "newstyle" config): which events belong to one issue.
//
//   fingerprint (custom replaces, hybrid salts, {{ default }} keeps)
//   → exception chain (app + system variants) → threads → top-level stacktrace
//   → template → message (template, else parameterized text) → fallback md5("")
//
// The first strategy (in that order) with a contributing component wins; lower ones are not
// evaluated. Hash of a variant = md5 of the concatenated contributing leaf values. Every
// issue and event stores GROUPING_VERSION: any change to what this package hashes (regexes,
// frame rules, limits) must bump it, and the pinned hashes in test/unit/grouping*.test.ts
// are there to catch an accidental change.

import { component, disabled, flatten, hashValues } from './component.ts';
import { exceptionVariants } from './exception.ts';
import { DEFAULT_VARIABLE, fingerprintType, resolveFingerprint } from './fingerprint.ts';
import { messageVariants, PARAM_BUDGET, templateVariants, type GroupingState } from './message.ts';
import { stacktraceStrategy, threadsVariants } from './threads.ts';
import type { NormalizedEvent } from '../normalize.ts';
import type { ComponentsByVariant, GroupingComponent, GroupingResult, GroupingVariant, VariantType } from './types.ts';

export const GROUPING_VERSION = 'faultline:1';

export { parameterize } from './parameterize.ts';
export { generateModule } from './js-module.ts';
export type { GroupingComponent, GroupingResult, GroupingVariant, VariantType } from './types.ts';

type Strategy = (event: NormalizedEvent, state: GroupingState) => ComponentsByVariant | null;

const STRATEGIES: readonly (readonly [string, Strategy])[] = [
  ['exception', exceptionVariants],
  ['threads', threadsVariants],
  ['stacktrace', stacktraceStrategy],
  ['template', templateVariants],
  ['message', messageVariants],
];

/** Precedence of variants for the primary hash. */
const VARIANT_ORDER = ['custom', 'app', 'system', 'default', 'fallback'];

/** md5("") — every event without grouping information lands in one group. */
export const FALLBACK_HASH = hashValues([]);

function strategyRoots(event: NormalizedEvent): Record<string, GroupingComponent> {
  const state: GroupingState = { paramBudget: PARAM_BUDGET };
  const perVariant: Record<string, GroupingComponent[]> = {};
  let winner: string | null = null;
  for (const [name, run] of STRATEGIES) {
    const comps = run(event, state);
    if (!comps) continue;
    let contributes = false;
    for (const variant of Object.keys(comps)) {
      (perVariant[variant] ??= []).push(comps[variant]);
      if (comps[variant].contributes) contributes = true;
    }
    if (contributes) {
      winner = name;
      break;
    }
  }
  const roots: Record<string, GroupingComponent> = {};
  for (const variant of ['app', 'system', 'default']) {
    const comps = perVariant[variant];
    if (!comps) continue;
    const root = component(variant, comps);
    if (!root.contributes && winner) root.hint = `${winner} takes precedence`;
    roots[variant] = root;
  }
  return roots;
}

export function groupEvent(event: NormalizedEvent): GroupingResult {
  const roots = strategyRoots(event);
  const fpType = fingerprintType(event.fingerprint);
  const resolved = fpType === 'custom' || fpType === 'hybrid' ? resolveFingerprint(event.fingerprint ?? [], event) : null;
  const variants: Record<string, GroupingVariant> = {};

  for (const name of Object.keys(roots)) {
    const root = roots[name];
    if (fpType === 'custom') {
      const hint = 'ignored because custom fingerprint takes precedence';
      variants[name] = { type: name as VariantType, hash: null, contributes: false, component: disabled(root, hint), hint };
    } else if (fpType === 'hybrid' && resolved) {
      let hash: string | null = null;
      if (root.contributes) {
        const values: string[] = [];
        for (const v of resolved) {
          if (v === DEFAULT_VARIABLE) flatten(root, values);
          else values.push(v);
        }
        hash = hashValues(values);
      }
      variants[name] = { type: 'hybrid', hash, contributes: root.contributes, component: root, values: resolved, hint: 'default grouping salted with the fingerprint' };
    } else {
      variants[name] = { type: name as VariantType, hash: root.contributes ? hashValues(flatten(root)) : null, contributes: root.contributes, component: root };
    }
  }
  if (fpType === 'custom' && resolved) {
    variants.custom = { type: 'custom', hash: hashValues(resolved), contributes: true, values: resolved, hint: 'custom fingerprint' };
  }
  if (!Object.values(variants).some((v) => v.contributes)) {
    variants.fallback = { type: 'fallback', hash: FALLBACK_HASH, contributes: true, hint: 'the event has no grouping information' };
  }

  const hashes: string[] = [];
  let primary = 'fallback';
  for (const name of VARIANT_ORDER) {
    const v = variants[name];
    if (!v?.contributes || !v.hash) continue;
    if (!hashes.length) primary = name;
    if (!hashes.includes(v.hash)) hashes.push(v.hash);
  }
  return { version: GROUPING_VERSION, hash: hashes[0], hashes, variant: primary, variants };
}
