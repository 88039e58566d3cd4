// Node frames: `module` and `in_app` exactly as @sentry/node derives them (so an error sent by either
// SDK groups into the same issue), and source lines read from the files (context lines).

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SdkEvent, StackFrame } from '../types.js';

/** Not ours if it is a Node internal, has no absolute path, or lives in node_modules. */
export function filenameIsInApp(filename: string | undefined): boolean {
  if (!filename) return false;
  const absolute = filename.startsWith('/') || /^[A-Z]:/.test(filename) || filename.startsWith('.') || /^[a-zA-Z][a-zA-Z0-9.+-]*:\/\//.test(filename);
  return absolute && !filename.includes('node_modules/');
}

/**
 * Module names: `pkg.sub:file` for node_modules, the path from the main script's folder with dots
 * (`lib.billing:invoice`) for app files, the bare file name otherwise (`timers` for node:internal/timers).
 */
export function createGetModule(base = process.argv[1] ? path.dirname(process.argv[1]) : process.cwd(), windows = path.sep === '\\'): (filename: string) => string | undefined {
  const norm = (p: string) => (windows ? p.replace(/^[A-Z]:/, '').replace(/\\/g, '/') : p);
  const normBase = norm(base);
  return (filename) => {
    if (!filename) return undefined;
    let { dir, base: file, ext } = path.posix.parse(norm(filename));
    if (ext === '.js' || ext === '.mjs' || ext === '.cjs') file = file.slice(0, -ext.length);
    try {
      file = decodeURIComponent(file);
    } catch {
      // keep it encoded
    }
    dir ||= '.';
    const n = dir.lastIndexOf('/node_modules');
    if (n > -1) return `${dir.slice(n + 14).replace(/\//g, '.')}:${file}`;
    if (dir.startsWith(normBase)) {
      const mod = dir.slice(normBase.length + 1).replace(/\//g, '.');
      return mod ? `${mod}:${file}` : file;
    }
    return file;
  };
}

export function nodeFrameMapper(getModule = createGetModule()): (frame: StackFrame) => StackFrame {
  return (frame) => {
    if (frame.filename) frame.module = getModule(frame.filename);
    frame.in_app = filenameIsInApp(frame.filename);
    return frame;
  };
}

// ---- context lines (5 before, 5 after, long lines snipped like Sentry's `snipLine`) ----

const CONTEXT = 5;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const SOURCE = /\.(?:[cm]?[jt]sx?|vue|svelte|astro|mdx)$/;
const files = new Map<string, Promise<string[] | null>>();

function snip(line: string): string {
  if (line.length <= 150) return line;
  return `${line.slice(0, 140)} {snip}`;
}

function skip(frame: StackFrame): boolean {
  const f = frame.filename!;
  const p = f.split(/[?#]/)[0].toLowerCase();
  return f.startsWith('node:') || f.startsWith('data:') || /\.min\.[cm]?js$/.test(p) || !SOURCE.test(p) || frame.lineno! > 10_000 || (frame.colno ?? 0) > 1000;
}

function lines(file: string): Promise<string[] | null> {
  let p = files.get(file);
  if (p) {
    files.delete(file);
  } else {
    p = stat(file)
      .then((s) => (s.size > MAX_FILE_BYTES ? null : readFile(file, 'utf8')))
      .then((text) => {
        if (text === null) return null;
        const all = text.split(/\r\n|\r|\n/);
        if (all[all.length - 1] === '') all.pop();
        return all;
      })
      .catch(() => null);
  }
  files.set(file, p);
  if (files.size > 20) files.delete(files.keys().next().value!);
  return p;
}

/** Adds `pre_context`, `context_line` and `post_context` to every frame whose file can be read. */
export async function addContextLines(event: SdkEvent): Promise<void> {
  const frames = (event.exception?.values ?? []).flatMap((e) => e.stacktrace?.frames ?? []);
  await Promise.all(
    frames.map(async (frame) => {
      if (!frame.filename || typeof frame.lineno !== 'number' || frame.context_line !== undefined || skip(frame)) return;
      const src = await lines(frame.filename);
      const at = frame.lineno - 1;
      if (!src || src[at] === undefined) return;
      const pre = src.slice(Math.max(0, at - CONTEXT), at);
      frame.pre_context = pre.map(snip);
      frame.context_line = snip(src[at]);
      frame.post_context = src.slice(at + 1, at + 1 + CONTEXT).map(snip);
    }),
  );
}
