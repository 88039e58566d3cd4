// Anything thrown → `exception.values`, protocol §5.2, in Sentry's order: the deepest `cause` first,
// the error that was captured last (the "main" exception the server titles the issue after).
// Mechanisms as the official SDKs send them: the captured error gets the capture mechanism and
// `exception_id: 0` when it has causes; each cause gets `{type: "chained", source: "cause",
// exception_id: n, parent_id: n - 1}`.

import { parseStack } from './stack.js';
import type { Exception, Mechanism, StackFrame } from './types.js';
import { isError, normalize } from './util.js';

/** Sets `in_app`, `module` and the like per platform. */
export type FrameMapper = (frame: StackFrame) => StackFrame;

const MAX_CAUSES = 5;

function describeObject(o: object): string {
  const name = read(o, 'name');
  const message = read(o, 'message');
  if (typeof name === 'string') return `'${name}' captured as exception${typeof message === 'string' ? ` with message '${message}'` : ''}`;
  if (typeof message === 'string') return message;
  const keys = Object.keys(o).sort();
  const list = keys.join(', ');
  return `Object captured as exception with keys: ${list.length > 40 ? `${list.slice(0, 40)}...` : list || '[object has no keys]'}`;
}

/** Reads a property that may be a throwing getter (V8 even computes `stack` lazily through `name`). */
function read(o: object, key: string): unknown {
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function exceptionFrom(error: object, mapFrame: FrameMapper, synthetic?: StackFrame[]): Exception {
  const name = read(error, 'name');
  const ctor = read(error, 'constructor') as { name?: unknown } | undefined;
  const type = (typeof name === 'string' && name) || (typeof ctor?.name === 'string' && ctor.name) || 'Error';
  const exception: Exception = { type, value: String(read(error, 'message') ?? '') };
  const frames = (synthetic ?? parseStack(read(error, 'stack'))).map(mapFrame);
  if (frames.length) exception.stacktrace = { frames };
  return exception;
}

export interface ExceptionData {
  values: Exception[];
  /** `__serialized__` for thrown plain objects, as Sentry sends it. */
  extra?: Record<string, unknown>;
}

/**
 * `synthetic` are the frames of a stack taken where the SDK was called, used when what was thrown
 * has none (a string, a plain object); the exception is then marked `synthetic`.
 */
export function exceptionsFromThrown(thrown: unknown, mechanism: Mechanism, synthetic: StackFrame[] | undefined, mapFrame: FrameMapper): ExceptionData {
  const main: Mechanism = { ...mechanism };
  let extra: Record<string, unknown> | undefined;
  let error: unknown = thrown;
  let first: Exception;
  if (isError(thrown)) first = exceptionFrom(thrown, mapFrame);
  else {
    main.synthetic = true;
    if (thrown !== null && typeof thrown === 'object') {
      const o = thrown as object;
      extra = { __serialized__: normalize(o, 3) };
      error = Object.keys(o)
        .map((k) => read(o, k))
        .find(isError);
      first = error ? exceptionFrom(error as object, mapFrame) : exceptionFrom({ name: 'Error', message: describeObject(o) }, mapFrame, synthetic ?? []);
    } else {
      error = undefined;
      first = exceptionFrom({ name: 'Error', message: String(thrown) }, mapFrame, synthetic ?? []);
    }
  }
  first.mechanism = main;
  const values = [first];
  const seen = [error];
  let cause = isError(error) ? safeCause(error) : undefined;
  while (isError(cause) && values.length <= MAX_CAUSES && !seen.includes(cause)) {
    seen.push(cause);
    const n = values.length;
    const e = exceptionFrom(cause, mapFrame);
    e.mechanism = { type: 'chained', handled: main.handled, source: 'cause', exception_id: n, parent_id: n - 1 };
    values.push(e);
    cause = safeCause(cause);
  }
  if (values.length > 1) main.exception_id = 0;
  return { values: values.reverse(), extra };
}

const safeCause = (e: object): unknown => read(e, 'cause');
