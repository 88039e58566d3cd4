// `error.stack` strings into Sentry frames: the oldest call first, the frame that threw last.
//
// Two families of formats, told apart per stack (test/fixtures/stacks/ has real captures of each):
//  - V8 (Node, Chrome, Edge): a message line, then `    at fn (location)` or `    at location`.
//  - SpiderMonkey (Firefox) and JavaScriptCore (Safari): `fn@location` or `@location` per line, no
//    message line; Firefox marks anonymous inner functions `outer/<`, Safari says `global code`
//    and `[native code]`.
// A location is `file:line:col`; eval code points at the line of the `eval` call in its file.
// Function names follow Sentry's Node parser (`Object.<anonymous>` → `Object.?`, unknown → `?`)
// so the same error groups the same way whichever SDK sent it.

import type { StackFrame } from './types.js';

const MAX_FRAMES = 50;
const UNKNOWN = '?';
const V8_LINE = /^\s*at (?:(.+?) \((.*)\)|(.+))$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;
const V8_EVAL = /\((\S*):(\d+):(\d+)\)/;
const GECKO_EVAL = / line (\d+)(?: > \w+ line \d+)* > (?:eval|Function)/;

function location(loc: string, frame: StackFrame): StackFrame | undefined {
  const m = LOCATION.exec(loc);
  let file = m ? m[1] : loc;
  if (!file) return undefined;
  if (file.startsWith('file://')) {
    file = file.slice(7);
    if (/^\/[A-Za-z]:/.test(file)) file = file.slice(1);
    try {
      file = decodeURI(file);
    } catch {
      // keep it encoded
    }
  }
  frame.filename = file;
  if (m) {
    frame.lineno = +m[2];
    if (m[3]) frame.colno = +m[3];
  }
  return frame;
}

/** Sentry's Node function naming (`@sentry/core` node-stack-trace), used for every V8 line. */
function v8Function(raw: string | undefined): string {
  if (!raw) return UNKNOWN;
  let fn = raw.startsWith('async ') ? raw.slice(6) : raw;
  let dot = fn.lastIndexOf('.');
  if (fn[dot - 1] === '.') dot--;
  if (dot > 0) {
    let object = fn.slice(0, dot);
    const moduleAt = object.indexOf('.Module');
    if (moduleAt > 0) {
      fn = fn.slice(moduleAt + 1);
      object = object.slice(0, moduleAt);
    }
    if (fn.slice(fn.lastIndexOf('.') + 1) === '<anonymous>') return `${object}.${UNKNOWN}`;
  }
  return fn === '<anonymous>' ? UNKNOWN : fn;
}

function v8Frame(line: string): StackFrame | undefined {
  const m = V8_LINE.exec(line);
  if (!m) return undefined;
  let loc = m[2] ?? m[3].replace(/^async /, '');
  if (loc.startsWith('eval at ')) {
    const inner = V8_EVAL.exec(loc);
    if (inner) loc = `${inner[1]}:${inner[2]}:${inner[3]}`;
  }
  return location(loc, { function: v8Function(m[1]) });
}

function geckoFrame(line: string): StackFrame | undefined {
  const at = line.indexOf('@');
  let fn = at === -1 ? '' : line.slice(0, at).trim();
  let loc = (at === -1 ? line : line.slice(at + 1)).trim();
  if (fn.includes('://')) {
    // A location with an `@` in its path (`https://cdn/npm/pkg@1.2.3/x.js:1:2`), no function.
    loc = line.trim();
    fn = '';
  }
  if (!loc || (at === -1 && !LOCATION.test(loc) && loc !== '[native code]')) return undefined;
  const ev = GECKO_EVAL.exec(loc);
  if (ev) {
    const frame = location(loc.slice(0, ev.index), { function: fn || 'eval' });
    if (frame) frame.lineno = +ev[1];
    return frame;
  }
  return location(loc, { function: fn || UNKNOWN });
}

/** Frames of a stack string, oldest call first (Sentry order); at most the 50 nearest the throw. */
export function parseStack(stack: unknown): StackFrame[] {
  if (typeof stack !== 'string' || !stack) return [];
  const lines = stack.split('\n');
  const v8 = lines.some((l) => /^\s+at /.test(l));
  const frames: StackFrame[] = [];
  for (const raw of lines) {
    if (frames.length >= MAX_FRAMES) break;
    const line = raw.length > 1024 ? raw.slice(0, 1024) : raw;
    const frame = v8 ? v8Frame(line) : line.trim() ? geckoFrame(line) : undefined;
    if (frame) frames.push(frame);
  }
  return frames.reverse();
}
