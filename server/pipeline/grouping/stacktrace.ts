// Stack trace component (§6.2, Sentry stacktrace:v1): the list of frame components, in two
// variants — `system` (every frame may contribute) and `app` (only in-app frames).

import { component, disabled, off } from './component.ts';
import { behaviorFamily, frameComponent, hasUrlOrigin, isRecursion } from './frame.ts';
import type { NormalizedStacktrace } from '../normalize.ts';
import type { GroupingComponent } from './types.ts';

export interface StacktraceVariants {
  app: GroupingComponent;
  system: GroupingComponent;
}

export function stacktraceVariants(stacktrace: NormalizedStacktrace | undefined | null, eventPlatform: string): StacktraceVariants {
  const frames = stacktrace?.frames ?? [];
  if (!frames.length) {
    const empty = off('stacktrace', [], 'ignored because it contains no frames', 'stack-trace');
    return { app: empty, system: empty };
  }
  const system: GroupingComponent[] = [];
  const app: GroupingComponent[] = [];
  let inApp = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    let c = frameComponent(frame, eventPlatform);
    if (isRecursion(frame, frames[i - 1])) c = disabled(c, 'ignored due to recursion');
    system.push(c);
    if (frame.in_app) inApp++;
    app.push(frame.in_app || !c.contributes ? c : disabled(c, 'non app frame'));
  }

  // A lone JavaScript frame without a function, pointing at a URL, is too weak to group on.
  const only = frames[0];
  if (
    frames.length === 1 && system[0].contributes && !only.function &&
    behaviorFamily(only.platform ?? eventPlatform) === 'javascript' && hasUrlOrigin(only.abs_path, true)
  ) {
    const hint = 'ignored single frame without function from a URL';
    system[0] = disabled(system[0], hint);
    app[0] = disabled(app[0], hint);
  }

  const systemComp = component('stacktrace', system, undefined, 'stack-trace');
  if (!systemComp.contributes) systemComp.hint = 'ignored because it contains no contributing frames';
  const appComp = component('stacktrace', app, undefined, 'stack-trace');
  if (!inApp) {
    appComp.contributes = false;
    appComp.hint = 'ignored because it contains no in-app frames';
  } else if (!appComp.contributes) {
    appComp.hint = 'ignored because it contains no contributing frames';
  }
  return { app: appComp, system: systemComp };
}
