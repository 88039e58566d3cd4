// A module name for JavaScript frames that only have a URL (protocol §6.2, bottom; Sentry's
// `generate_module` in its JavaScript processing). Because a module beats the file name in
// the frame component, hashed bundle names (`main.8f3a2b1c.js`) group stably across deploys.
//
// Sentry stores the derived module on the event; we derive it at grouping (and display)
// time instead, so the stored event stays what the SDK sent and a regroup with a future
// algorithm sees the raw data.

import type { NormalizedFrame } from '../normalize.ts';

const JS_URL_PREFIXES = ['http:', 'https:', 'webpack:', 'app:'];
const MAX_URL = 2048;

// One path segment that is noise in front of the real module path (Sentry CLEAN_MODULE_RE):
// common folders, segments starting with _ . ~, version numbers, short/long hex hashes.
const JUNK_SEGMENT =
  /^(?:(?:java)?scripts?|js|build|static|node_modules|bower_components|[_.~].*|v?(?:\d+\.)*\d+|[a-f0-9]{7,8}|[a-f0-9]{32}|[a-f0-9]{40})$/i;
// A segment that is an md5/sha1 (Sentry VERSION_RE, which tests "starts with 32 hex or ends with 40 hex").
const HASH_SEGMENT = /^[a-f0-9]{32}|[a-f0-9]{40}$/i;
const TRAILING_COMMITISH = /[-.][a-f0-9]{7,}$/i;

/** The URL's path without query and fragment (`urlsplit(src).path`). */
function urlPath(url: string): string {
  const scheme = url.indexOf('://');
  let rest: string;
  if (scheme !== -1) {
    const slash = url.indexOf('/', scheme + 3);
    rest = slash === -1 ? '' : url.slice(slash);
  } else {
    const colon = url.indexOf(':');
    rest = url.slice(colon + 1);
  }
  const q = rest.search(/[?#]/);
  return q === -1 ? rest : rest.slice(0, q);
}

/** Python's os.path.splitext: the extension is the last dot of the last segment, not a leading one. */
function dropExtension(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return path;
  let i = slash + 1;
  while (i < dot && path[i] === '.') i++;
  return i === dot ? path : path.slice(0, dot);
}

/**
 * `http://x.com/js/v1.0/foo/bar/baz.js` → `foo/bar/baz`;
 * `https://cdn.x.com/static/js/main.8f3a2b1c.js` → `main`. Null when nothing is left.
 */
export function generateModule(url: string): string | null {
  if (!url) return null;
  let filename = dropExtension(urlPath(url.length > MAX_URL ? url.slice(0, MAX_URL) : url));
  if (filename.endsWith('.min')) filename = filename.slice(0, -4);

  const tokens = filename.split('/');
  for (let i = 0; i < tokens.length; i++) {
    if (HASH_SEGMENT.test(tokens[i])) return tokens.slice(i + 1).join('/') || null;
  }

  // Strip leading "/" and junk segments (each must be followed by "/"), then a trailing commitish.
  let start = 0;
  for (;;) {
    if (filename[start] === '/') {
      start++;
      continue;
    }
    const next = filename.indexOf('/', start);
    if (next === -1 || !JUNK_SEGMENT.test(filename.slice(start, next))) break;
    start = next + 1;
  }
  const out = filename.slice(start).replace(TRAILING_COMMITISH, '');
  return out || null;
}

function isJsFamily(platform: string): boolean {
  return platform === 'javascript' || platform === 'node';
}

/**
 * The frame's module: the SDK's, else (JavaScript frames with a URL `abs_path`) the derived
 * one. `derived` tells the caller it was not sent by the SDK.
 */
export function frameModule(frame: NormalizedFrame, eventPlatform: string): { module: string; derived: boolean } | null {
  if (frame.module) return { module: frame.module, derived: false };
  const abs = frame.abs_path;
  if (!abs || !isJsFamily(frame.platform ?? eventPlatform)) return null;
  if (!JS_URL_PREFIXES.some((p) => abs.startsWith(p))) return null;
  const m = generateModule(abs);
  return m ? { module: m, derived: true } : null;
}
