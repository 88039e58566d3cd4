// Client fingerprints, protocol §6.5 (Sentry `fingerprinting/utils.py`): `{{ default }}`
// alone keeps the normal grouping, a list without it replaces it (custom), a list with it
// salts every default variant (hybrid). Other `{{ variables }}` resolve from the event.

import { frameModule } from './js-module.ts';
import type { NormalizedEvent, NormalizedFrame } from '../normalize.ts';

export type FingerprintType = 'default' | 'custom' | 'hybrid';

export const DEFAULT_VARIABLE = '{{ default }}';
const VARIABLE = /^\{\{\s*(\S+)\s*\}\}$/;

/** The variable name of `{{ name }}` (any spacing), else null. */
export function parseVariable(entry: string): string | null {
  if (entry.length > 1024 || !entry.startsWith('{{')) return null;
  const m = VARIABLE.exec(entry);
  return m ? m[1] : null;
}

export function fingerprintType(fingerprint: readonly string[] | null | undefined): FingerprintType | null {
  if (!fingerprint?.length) return null;
  if (fingerprint.length === 1 && parseVariable(fingerprint[0]) === 'default') return 'default';
  return fingerprint.some((e) => parseVariable(e) === 'default') ? 'hybrid' : 'custom';
}

/** Frames of the main stack: the last exception's, else the top-level one, else the only thread's. */
export function mainFrames(event: NormalizedEvent): NormalizedFrame[] {
  const exceptions = event.exception?.values;
  const fromException = exceptions?.[exceptions.length - 1]?.stacktrace?.frames;
  if (fromException?.length) return fromException;
  if (event.stacktrace?.frames.length) return event.stacktrace.frames;
  const threads = event.threads?.values;
  if (threads?.length === 1 && threads[0].stacktrace) return threads[0].stacktrace.frames;
  return [];
}

/**
 * The crash frame: the last in-app frame of the main stack, else its last frame (Sentry
 * `get_crash_frame_from_event_data`). `accept` filters candidate frames.
 */
export function crashFrame(event: NormalizedEvent, accept?: (f: NormalizedFrame) => boolean): NormalizedFrame | null {
  const frames = mainFrames(event);
  let fallback: NormalizedFrame | null = null;
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i];
    if (accept && !accept(f)) continue;
    if (f.in_app) return f;
    fallback ??= f;
  }
  return fallback;
}

function lastException(event: NormalizedEvent) {
  const values = event.exception?.values;
  return values?.[values.length - 1];
}

export function resolveVariable(name: string, event: NormalizedEvent): string {
  switch (name) {
    case 'transaction':
      return event.transaction || '<no-transaction>';
    case 'message':
      return event.logentry?.formatted || event.logentry?.message || lastException(event)?.value || '<no-message>';
    case 'type':
    case 'error.type':
      return lastException(event)?.type || '<no-type>';
    case 'value':
    case 'error.value':
      return lastException(event)?.value || '<no-value>';
    case 'function':
    case 'stack.function':
      return crashFrame(event)?.function || '<no-function>';
    case 'path':
    case 'stack.abs_path': {
      const f = crashFrame(event);
      return f?.abs_path || f?.filename || '<no-abs-path>';
    }
    case 'stack.filename': {
      const f = crashFrame(event);
      return f?.filename || f?.abs_path || '<no-filename>';
    }
    case 'module':
    case 'stack.module': {
      const f = crashFrame(event);
      return (f && frameModule(f, event.platform)?.module) || '<no-module>';
    }
    case 'package':
    case 'stack.package': {
      const pkg = crashFrame(event)?.package;
      const last = pkg?.split(/[/\\]/).pop();
      return last || '<no-package>';
    }
    case 'level':
      return event.level || '<no-level>';
    case 'logger':
      return event.logger || '<no-logger>';
    default:
      if (name.startsWith('tags.')) {
        const tag = name.slice(5);
        const hit = event.tags.find(([k]) => k === tag);
        return hit ? hit[1] : `<no-value-for-tag-${tag}>`;
      }
      return `<unrecognized-variable-${name}>`;
  }
}

/** Resolves every entry; `{{ default }}` (any spacing) becomes DEFAULT_VARIABLE. Raw strings stay raw. */
export function resolveFingerprint(fingerprint: readonly string[], event: NormalizedEvent): string[] {
  return fingerprint.map((entry) => {
    const name = parseVariable(entry);
    if (name === null) return entry;
    if (name === 'default') return DEFAULT_VARIABLE;
    return resolveVariable(name, event);
  });
}
