// Frame component, protocol §6.2: `frame = [module, filename, function, context-line?]`
// (Sentry `strategies/newstyle.py` frame:v1).
//
// Line numbers: the architecture note says "line numbers only where there is no function";
// the protocol doc (§6.2) says newstyle never hashes lineno/colno and warns that only the
// long-deprecated legacy strategy did. We follow the doc: a line number moves with every
// edit above it, so hashing it would split an issue on each deploy, and the frames that lack
// a function (anonymous JS callbacks, minified code) are exactly the ones whose line numbers
// are least stable (minified bundles: line 1, column changes per build). Such frames still
// group by module/file and context line. A non-contributing `lineno` component is shown for
// them so the UI can say why the line was not used.

import { component, off } from './component.ts';
import { frameModule } from './js-module.ts';
import type { NormalizedFrame } from '../normalize.ts';
import type { GroupingComponent } from './types.ts';

const CONTEXT_LINE_PLATFORMS = new Set(['javascript', 'node', 'python', 'php', 'ruby']);
const MAX_CONTEXT_LINE = 120;

export type Family = 'javascript' | 'native' | 'other';

export function behaviorFamily(platform: string): Family {
  if (platform === 'javascript' || platform === 'node') return 'javascript';
  if (platform === 'objc' || platform === 'cocoa' || platform === 'swift' || platform === 'native' || platform === 'c') return 'native';
  return 'other';
}

/** Sentry `has_url_origin`; `file:` counts only when `filesAreUrls`. */
export function hasUrlOrigin(path: string | undefined, filesAreUrls: boolean): boolean {
  if (!path) return false;
  const c = path.charCodeAt(0);
  if (c !== 104 && c !== 97 && c !== 98 && c !== 102) return false; // h a b f
  if (path.startsWith('http:') || path.startsWith('https:') || path.startsWith('applewebdata:') || path.startsWith('blob:')) return true;
  return filesAreUrls && path.startsWith('file:');
}

const JAVASSIST = /(\$\$_javassist)(?:_seam)?(?:_[0-9]+)?/g;
const JAVA_REFLECT = /(sun\.reflect\.Generated(?:Serialization)?ConstructorAccessor)\d+/g;
const JAVA_CGLIB = /(\$\$[\w]+?CGLIB\$\$)[a-fA-F0-9]+(?:_[0-9]+)?/g;
const CLOJURE_FN = /(\$fn__)\d+/g;
const JAVA_ENHANCER_BY = /(\$\$?EnhancerBy[\w]+?\$?\$)[a-fA-F0-9]+(?:_[0-9]+)?/g;
const JAVA_FAST_CLASS_BY = /(\$\$?FastClassBy[\w]+?\$?\$)[a-fA-F0-9]+(?:_[0-9]+)?/g;
const JAVA_HIBERNATE_PROXY = /(\$\$?HibernateProxy\$?\$)\w+(?:_[0-9]+)?/g;
/** True unless the line is already "words separated by single spaces". */
function needsCollapse(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return true;
  let prevSpace = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return true;
      prevSpace = true;
    } else {
      // Other whitespace (tabs, newlines, NBSP, Unicode spaces) needs the slow path.
      if (c < 32 || (c >= 127 && /\s/.test(s[i]))) return true;
      prevSpace = false;
    }
  }
  return false;
}
const RUBY_ERB = /__\d{4,}_\d{4,}$/;
function isUnknownJsFunction(name: string): boolean {
  return name === '?' || name === '<anonymous>' || name === '<anonymous function>' || name === 'Anonymous function' || name.endsWith('/<');
}

function isLowQualityJsPath(path: string): boolean {
  return path === '[native code]' || path === 'native code' || path === 'eval code' || path === '<anonymous>';
}

function filenameComponent(frame: NormalizedFrame, platform: string, moduleWins: boolean): GroupingComponent | null {
  if (frame.filename === undefined) return null;
  const f = frame.filename;
  let name = f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1).toLowerCase();
  if (!name) return null;
  if (hasUrlOrigin(frame.abs_path, false)) return off('filename', [name], 'ignored because frame points to a URL');
  if (name === '<anonymous>') return off('filename', [name], 'ignored because filename is anonymous');
  if (name === '[native code]') return off('filename', [name], 'ignored because filename suggests native code');
  let hint: string | undefined;
  if (platform === 'java' && name.includes('$$_javassist')) {
    const cleaned = name.replace(JAVASSIST, '$1<auto>');
    if (cleaned !== name) {
      name = cleaned;
      hint = 'cleaned javassist parts';
    }
  }
  if (moduleWins) return off('filename', [name], 'ignored because module takes precedence');
  return component('filename', [name], hint);
}

function cleanJavaModule(module: string): string {
  if (module.startsWith('sun.reflect.GeneratedMethodAccessor')) return 'sun.reflect.GeneratedMethodAccessor';
  if (module.startsWith('jdk.internal.reflect.GeneratedMethodAccessor')) return 'jdk.internal.reflect.GeneratedMethodAccessor';
  let m = module.replace(JAVA_REFLECT, '$1<auto>');
  if (!m.includes('$')) return m;
  m = m.replace(JAVA_CGLIB, '$1<auto>').replace(JAVASSIST, '$1<auto>').replace(CLOJURE_FN, '$1<auto>');
  return m.replace(JAVA_ENHANCER_BY, '$1<auto>').replace(JAVA_FAST_CLASS_BY, '$1<auto>').replace(JAVA_HIBERNATE_PROXY, '$1<auto>');
}

function moduleComponent(frame: NormalizedFrame, platform: string, eventPlatform: string): GroupingComponent | null {
  const found = frameModule(frame, eventPlatform);
  if (!found) return null;
  const { module, derived } = found;
  const abs = frame.abs_path;
  if (platform === 'javascript' && module.includes('/') && abs && abs.endsWith(module)) {
    return off('module', [module], 'ignored bad javascript module');
  }
  if (platform === 'java') {
    if (module.includes('$$Lambda$')) return off('module', [module], 'ignored java lambda');
    const cleaned = cleanJavaModule(module);
    if (cleaned !== module) return component('module', [cleaned], 'removed codegen marker');
  }
  return component('module', [module], derived ? 'module derived from the URL' : undefined);
}

function contextLineComponent(frame: NormalizedFrame, platform: string): GroupingComponent | null {
  const raw = frame.context_line;
  if (!raw || !CONTEXT_LINE_PLATFORMS.has(platform)) return null;
  // Python's `" ".join(line.split())`: collapse whitespace runs (skipped when already clean).
  const trimmed = raw.trim();
  const line = needsCollapse(trimmed) ? trimmed.split(/\s+/).join(' ') : trimmed;
  if (!line) return null;
  if (raw.length > MAX_CONTEXT_LINE) return off('context-line', [line], 'ignored because line is too long');
  if (behaviorFamily(platform) === 'javascript' && !frame.function && hasUrlOrigin(frame.abs_path, true)) {
    return off('context-line', [line], 'ignored because file path is a URL and function name is missing');
  }
  return component('context-line', [line]);
}

/**
 * Sentry `trim_function_name` for native frames, reduced to the common cases: drops the
 * argument list, template arguments, cv-qualifiers and the return type of C++-style
 * signatures (`int foo::bar<T>(int) const` → `foo::bar`). One linear scan, never throws.
 */
export function trimNativeFunctionName(fn: string): string {
  if (fn === '<redacted>' || fn === '<unknown>' || !/[ (<]/.test(fn)) return fn;
  let s = fn.replace('(anonymous namespace)', '`anonymous namespace\'').trim();
  for (;;) {
    const q = /\s+(?:const|volatile|noexcept|&&|&)$/.exec(s);
    if (!q) break;
    s = s.slice(0, q.index);
  }
  if (s.endsWith(')')) {
    let depth = 0;
    for (let i = s.length - 1; i >= 0; i--) {
      const c = s[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        if (i > 0) s = s.slice(0, i);
        break;
      }
    }
  }
  let out = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<' && !out.endsWith('operator') && i + 1 < s.length && s[i + 1] !== '<' && s[i + 1] !== '=') {
      if (/^lambda|^anonymous|^unnamed/.test(s.slice(i + 1, i + 12)) && depth === 0) {
        out += c;
        continue;
      }
      depth++;
      continue;
    }
    if (c === '>' && depth > 0) {
      depth--;
      continue;
    }
    if (depth === 0) out += c;
  }
  const lastSpace = out.lastIndexOf(' ');
  const name = (lastSpace === -1 ? out : out.slice(lastSpace + 1)).replace(/^[*&]+/, '');
  return name || fn;
}

function functionComponent(frame: NormalizedFrame, platform: string, family: Family, contextContributes: boolean): GroupingComponent | null {
  let func: string | undefined;
  if (platform === 'csharp') func = frame.raw_function ?? frame.function;
  else {
    func = frame.function ?? frame.raw_function;
    if (!frame.raw_function && frame.function && family === 'native') func = trimNativeFunctionName(frame.function);
  }
  if (!func) return null;
  if (platform === 'ruby') {
    if (func.startsWith('block ')) return component('function', ['block'], 'ruby block');
    const cleaned = func.replace(RUBY_ERB, '');
    if (cleaned !== func) return component('function', [cleaned], 'removed generated erb template suffix');
  } else if (platform === 'php') {
    const anonymous = func.startsWith('[Anonymous') || func.startsWith('class@anonymous\u0000');
    let hint: string | undefined;
    if (func.startsWith('class@anonymous')) {
      const i = func.lastIndexOf('::');
      if (i !== -1) {
        func = func.slice(i + 2);
        hint = 'anonymous class method';
      }
    }
    if (anonymous) return off('function', [func], 'ignored anonymous function');
    return component('function', [func], hint);
  } else if (platform === 'java') {
    if (func.startsWith('lambda$')) return off('function', [func], 'ignored lambda function');
  } else if (family === 'native') {
    if (func === '<redacted>' || func === '<unknown>') return off('function', [func], 'ignored unknown function');
  } else if (family === 'javascript') {
    // `Object.foo` / `Foo.prototype.bar` → `foo` / `bar`: browsers name methods differently.
    const dot = func.lastIndexOf('.');
    const trimmed = dot === -1 ? func : func.slice(dot + 1);
    // Noise names, judged on the raw name when there is one (Sentry frame:v1).
    const rawName = frame.raw_function ?? frame.function ?? '';
    const rawDot = rawName.lastIndexOf('.');
    const name = rawName === func ? trimmed : rawDot === -1 ? rawName : rawName.slice(rawDot + 1);
    if (!name) return off('function', [trimmed], 'ignored because the function name is empty');
    if (isUnknownJsFunction(name)) return off('function', [trimmed], 'ignored unknown function name');
    // Source-mapped function names are unreliable; the context line is the better signal.
    if (frame.data?.sourcemap !== undefined && frame.data?.sourcemap !== null && contextContributes) {
      return off('function', [trimmed], 'ignored because sourcemap used and context line available');
    }
    return component('function', [trimmed], trimmed !== func ? 'trimmed javascript function' : undefined);
  }
  return component('function', [func]);
}

/** The variant-independent frame component (in-app and recursion are applied by the stacktrace). */
export function frameComponent(frame: NormalizedFrame, eventPlatform: string): GroupingComponent {
  const platform = frame.platform ?? eventPlatform;
  const family = behaviorFamily(platform);

  const module = moduleComponent(frame, platform, eventPlatform);
  const filename = filenameComponent(frame, platform, module?.contributes === true);
  const contextLine = contextLineComponent(frame, platform);
  let func = functionComponent(frame, platform, family, contextLine?.contributes === true);
  let frameHint: string | undefined;

  if (family === 'javascript') {
    const raw = frame.raw_function ?? frame.function;
    if ((raw !== undefined && (raw === 'eval' || raw.endsWith('.eval'))) || (frame.abs_path !== undefined && isLowQualityJsPath(frame.abs_path))) {
      frameHint = 'ignored low quality javascript frame';
    }
  }

  // Order matters for the hash: module, filename, function, context line.
  const values: GroupingComponent[] = [];
  if (module) values.push(module);
  if (filename) values.push(filename);
  if (func) values.push(func);
  if (contextLine) values.push(contextLine);
  if (!func?.contributes && frame.lineno !== undefined) {
    values.push(off('lineno', [String(frame.lineno)], 'line numbers are never grouped on: they change with every deploy'));
  }
  return frameHint ? off('frame', values, frameHint) : component('frame', values);
}

const RECURSION_FIELDS = ['abs_path', 'package', 'module', 'filename', 'function', 'lineno', 'colno'] as const;

/** A frame identical to the previous one in every location field is a recursive call. */
export function isRecursion(frame: NormalizedFrame, prev: NormalizedFrame | undefined): boolean {
  if (!prev) return false;
  for (const k of RECURSION_FIELDS) if (frame[k] !== prev[k]) return false;
  return true;
}
