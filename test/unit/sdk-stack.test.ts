// The SDK's stack parser on real stack strings of each engine (test/fixtures/stacks/README.md says
// how each was captured): V8 (Node CJS and ESM, Chromium), SpiderMonkey (Firefox), JavaScriptCore
// (the jsc shell; and Safari's published shapes). Frames come out in Sentry order, the throwing frame
// last, and V8 frames match what @sentry/node's own parser makes of the same strings, so an error
// sent by either SDK groups into the same issue.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createGetModuleFromFilename, defaultStackParser as sentryNodeParser } from '@sentry/node';
import { defaultStackParser as sentryBrowserParser } from '@sentry/browser';
import { describe, expect, it } from 'vitest';
import { exceptionsFromThrown } from '../../sdk/src/exception.ts';
import { createGetModule, nodeFrameMapper } from '../../sdk/src/node/frames.ts';
import { parseStack } from '../../sdk/src/stack.ts';
import type { StackFrame } from '../../sdk/src/types.ts';

interface Captured {
  name: string;
  message: string;
  stack: string;
  cause?: Captured;
}
const DIR = path.resolve(import.meta.dirname, '../fixtures/stacks');
const load = (f: string): Record<string, Captured> => JSON.parse(readFileSync(path.join(DIR, `${f}.json`), 'utf8')).scenarios;
const ENGINES = ['v8-node-cjs', 'v8-node-esm', 'v8-chromium', 'spidermonkey-firefox', 'jsc-webkitgtk'] as const;
const isApp = (f: StackFrame) => /\/app\.[cm]?js$/.test(f.filename ?? '');
const isNative = (f: StackFrame) => f.lineno === undefined && (f.filename === '[native code]' || f.filename === '<anonymous>');

/** `function:line` of the app's frames (and native ones in between), oldest first. */
function summary(stack: string): string {
  return parseStack(stack)
    .filter((f) => isApp(f) || isNative(f))
    .map((f) => `${f.function}:${f.lineno ?? '-'}`)
    .join(' ');
}

// Read against capture/app.js: chargeCard throws on line 14, processPayment calls it on 21, checkout on
// 25, runCheckout on 87, capture() calls its callback on 72, captureAll calls capture() on 86, ...
const V8 = {
  'named-functions': 'captureAll:86 capture:72 runCheckout:87 checkout:25 processPayment:21 chargeCard:14',
  'anonymous-and-native': 'captureAll:89 capture:72 ?:90 Object.total:31 Array.map:- ?:32',
  'class-methods': 'captureAll:92 capture:72 ?:93 Inventory.reserve:43 Inventory.check:46',
  constructor: 'captureAll:95 capture:72 ?:96 new Widget:52',
  arrow: 'captureAll:98 capture:72 ?:99 Array.forEach:- ?:99 arrowThrows:57',
  eval: 'captureAll:101 capture:72 ?:102 eval:102 evaluated:102',
  'new-function': 'captureAll:104 capture:72 ?:105 eval:105',
  cause: 'captureAll:107 capture:72 ?:111',
  'not-a-function': 'captureAll:114 capture:72 ?:116',
  async: 'loadUser:61 fetchProfile:67',
};
const EXPECTED: Record<(typeof ENGINES)[number], Record<string, string>> = {
  'v8-node-cjs': V8,
  'v8-node-esm': V8,
  'v8-chromium': V8,
  // Firefox names anonymous inner functions after their outer one (`outer/<`), includes the subclass
  // constructor's super() frame, and keeps no async caller.
  'spidermonkey-firefox': {
    'named-functions': 'captureAll:86 capture:72 runCheckout:87 checkout:25 processPayment:21 chargeCard:14 PaymentError:7',
    'anonymous-and-native': 'captureAll:89 capture:72 captureAll/<:90 total:31 total/<:32',
    'class-methods': 'captureAll:92 capture:72 captureAll/<:93 reserve:43 check:46',
    constructor: 'captureAll:95 capture:72 captureAll/<:96 Widget:52',
    arrow: 'captureAll:98 capture:72 captureAll/<:99 captureAll/</<:99 arrowThrows:57',
    eval: 'captureAll:101 capture:72 captureAll/<:102 eval:102 evaluated:102',
    'new-function': 'captureAll:104 capture:72 captureAll/<:105 anonymous:105',
    cause: 'captureAll:107 capture:72 captureAll/<:111',
    'not-a-function': 'captureAll:114 capture:72 captureAll/<:116',
    async: 'fetchProfile:67',
  },
  // JavaScriptCore: `[native code]` frames, proper tail calls (class-methods: `reserve` returned
  // `check(...)` in strict code, so its frame is gone), eval code without a location (dropped).
  'jsc-webkitgtk': {
    'named-functions': 'captureAll:86 capture:72 runCheckout:87 checkout:25 processPayment:21 chargeCard:14 PaymentError:7',
    'anonymous-and-native': 'captureAll:89 capture:72 ?:90 total:31 map:- ?:32',
    'class-methods': 'captureAll:92 capture:72 ?:93 check:46',
    constructor: 'captureAll:95 capture:72 ?:96 Widget:52',
    arrow: 'captureAll:98 capture:72 ?:99 forEach:- ?:99 arrowThrows:57',
    eval: 'captureAll:101 capture:72 ?:102 eval:-',
    'new-function': 'captureAll:104 capture:72 ?:105',
    cause: 'captureAll:107 capture:72 ?:111',
    'not-a-function': 'captureAll:114 capture:72 ?:116',
    async: 'fetchProfile:67',
  },
};

describe.each(ENGINES)('%s stacks', (engine) => {
  const scenarios = load(engine);

  it.each(Object.keys(EXPECTED[engine]))('%s', (name) => {
    expect(summary(scenarios[name].stack)).toBe(EXPECTED[engine][name]);
  });

  it('gives every frame a file and a function, and app frames a line and column', () => {
    for (const s of Object.values(scenarios)) {
      const frames = parseStack(s.stack);
      expect(frames.length).toBeGreaterThan(0);
      for (const f of frames) {
        expect(f.filename, s.stack).toBeTruthy();
        expect(f.function, s.stack).toBeTruthy();
        if (isApp(f) && !/eval|anonymous/.test(f.function!)) {
          expect(f.lineno).toBeGreaterThan(0);
          expect(f.colno).toBeGreaterThan(0);
        }
      }
    }
  });

  it('turns a cause chain into exception values, the cause first and the captured error last', () => {
    const s = scenarios.cause;
    const toError = (c: Captured): Error => Object.assign(Object.create(Error.prototype), { name: c.name, message: c.message, stack: c.stack, cause: c.cause && toError(c.cause) });
    const { values } = exceptionsFromThrown(toError(s), { type: 'generic', handled: true }, undefined, (f) => f);
    expect(values.map((v) => [v.type, v.value])).toEqual([
      ['PaymentError', 'Card declined for order 1001'],
      ['Error', 'Checkout failed for order 1001'],
    ]);
    expect(values[1].mechanism).toEqual({ type: 'generic', handled: true, exception_id: 0 });
    expect(values[0].mechanism).toEqual({ type: 'chained', handled: true, source: 'cause', exception_id: 1, parent_id: 0 });
    // (Firefox and Safari add the subclass constructor's frame after chargeCard's.)
    expect(values[0].stacktrace!.frames.slice(-2).some((f) => f.function === 'chargeCard' && f.lineno === 14)).toBe(true);
    expect(values[1].stacktrace!.frames.filter(isApp).at(-1)!.lineno).toBe(111);
  });
});

describe('V8 stacks agree with @sentry/node', () => {
  const base = '/tmp/faultline-stacks';
  const ours = nodeFrameMapper(createGetModule(base, false));
  const theirsModule = createGetModuleFromFilename(base, false);
  const pick = (f: StackFrame) => ({ filename: f.filename, function: f.function, lineno: f.lineno, colno: f.colno, in_app: f.in_app, module: f.module });

  it.each(['v8-node-cjs', 'v8-node-esm'])('%s: every frame, module and in_app included', (engine) => {
    for (const [name, s] of Object.entries(load(engine))) {
      for (const c of [s, s.cause].filter(Boolean) as Captured[]) {
        const a = parseStack(c.stack).map(ours).map(pick);
        const b = sentryNodeParser(c.stack, 1).map((f) => pick({ ...f, module: f.filename ? theirsModule(f.filename) : undefined }));
        if (name === 'eval' || name === 'new-function') {
          // Deliberate difference: @sentry/node keeps `eval at <anonymous> (file:102:5), <anonymous>` as the
          // file name (not in app); we point the frame at the line of the eval call in its real file.
          const evalFrames = b.filter((f) => f.filename?.startsWith('eval at'));
          expect(evalFrames.length).toBeGreaterThan(0);
          expect(a.filter((f) => !b.some((g) => g.function === f.function && g.filename === f.filename && g.lineno === f.lineno))).toHaveLength(evalFrames.length);
          continue;
        }
        expect(a, `${engine} ${name}`).toEqual(b);
      }
    }
  });
});

describe('browser stacks agree with @sentry/browser on the page\'s frames', () => {
  // Deliberate difference: like @sentry/node (not @sentry/browser) we drop V8's `async ` prefix, so
  // `at async loadUser` names the function `loadUser` in every runtime.
  const pick = (f: StackFrame) => [f.filename, f.function?.replace(/^async /, ''), f.lineno, f.colno];
  it.each(['v8-chromium', 'spidermonkey-firefox', 'jsc-webkitgtk', 'safari-published'])('%s', (engine) => {
    for (const [name, s] of Object.entries(load(engine))) {
      if (name === 'new-function') continue; // Firefox: we read `app.js line 105 > Function:3:7` as app.js line 105
      // Playwright's own evaluation frames differ (Sentry turns `eval at evaluate (:370:30)` into a page frame).
      const keep = (f: StackFrame) => !(f.filename === '<anonymous>' && f.lineno !== undefined) && !(f.function === 'eval' && f.lineno === 370);
      expect(parseStack(s.stack).filter(keep).map(pick), `${engine} ${name}`).toEqual(sentryBrowserParser(s.stack, 0).filter(keep).map(pick));
    }
  });
});

describe('Safari (published shapes)', () => {
  const s = load('safari-published');
  it.each([
    ['safari-6', '?:48 dumpException3:52 onclick:82 ?:-'],
    ['safari-7', '?:48 foo:52 bar:108'],
    ['safari-8-eval', 'eval:- foo:58 bar:109'],
    ['safari-12-native-code', 'fooIterator:20 map:- foo:19 global code:24'],
    ['safari-12-eval', 'aha:19 aha:- callAnotherThing:20 callback:25 ?:34 map:- test:33 eval:- aha:39 testMethod:44 ?:50'],
    ['safari-web-extension', 'p_:29 ?:29 promiseReactionJob:-'],
    ['parentheses-in-path', '?:1 global code:1'],
  ])('%s', (name, newestFirst) => {
    const frames = parseStack(s[name].stack);
    expect(
      frames
        .map((f) => `${f.function}:${f.lineno ?? '-'}`)
        .reverse()
        .join(' '),
    ).toBe(newestFirst);
  });

  it('keeps extension and odd URLs whole', () => {
    expect(parseStack(s['safari-extension'].stack).at(-1)!.filename).toBe('safari-extension://com.grammarly.safari.extension.ext2-W8F64X92K3/ee7759dd/Grammarly.js');
    expect(parseStack(s['parentheses-in-path'].stack)[0].filename).toBe('http://localhost:3000/(group)/[route]/script.js');
  });
});

describe('parseStack edge cases', () => {
  it('returns no frames for what is not a stack', () => {
    for (const v of [undefined, null, '', 42, 'just a message', 'Error: boom']) expect(parseStack(v)).toEqual([]);
  });

  it('keeps the 50 frames nearest the throw', () => {
    const stack = ['Error: deep', ...Array.from({ length: 80 }, (_, i) => `    at f${i} (/app/x.js:${i + 1}:1)`)].join('\n');
    const frames = parseStack(stack);
    expect(frames).toHaveLength(50);
    expect(frames.at(-1)!.function).toBe('f0');
    expect(frames[0].function).toBe('f49');
  });

  it('reads a URL with an @ in its path (npm CDNs) as a location, not a function', () => {
    expect(parseStack('https://cdn.example.com/npm/pkg@1.2.3/dist/x.js:1:20')).toEqual([{ function: '?', filename: 'https://cdn.example.com/npm/pkg@1.2.3/dist/x.js', lineno: 1, colno: 20 }]);
  });

  it('reads Windows paths and file URLs', () => {
    const [a] = parseStack('Error: x\n    at run (C:\\app\\src\\job.js:3:9)');
    expect(a).toMatchObject({ filename: 'C:\\app\\src\\job.js', lineno: 3, colno: 9 });
    const [b] = parseStack('Error: x\n    at run (file:///C:/app/src/my%20job.mjs:3:9)');
    expect(b.filename).toBe('C:/app/src/my job.mjs');
  });

  it('does not take a multi-line V8 message for frames', () => {
    const frames = parseStack('Error: line one\nfoo@bar looks like a frame\n    at real (/app/a.js:1:2)');
    expect(frames).toEqual([{ function: 'real', filename: '/app/a.js', lineno: 1, colno: 2 }]);
  });
});
