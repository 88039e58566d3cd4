// A small User-Agent reader. Relay derives `contexts.browser` / `contexts.os` from the
// request's User-Agent header when the SDK did not send them (browser SDKs never do), which
// is what makes the `browser` / `os.name` tags work for browser events. We cover the common
// browsers and systems only; the input is capped and every pattern is anchored on a literal
// token with bounded quantifiers, so nothing here can backtrack.

export interface UaContext {
  name: string;
  version?: string;
}

const MAX_UA = 512;

function version(ua: string, token: string): string | undefined {
  const i = ua.indexOf(token);
  if (i === -1) return undefined;
  const m = /^[\d]{1,6}(?:[._][\d]{1,6}){0,3}/.exec(ua.slice(i + token.length, i + token.length + 32));
  return m ? m[0].replace(/_/g, '.') : undefined;
}

export function browserFromUserAgent(uaRaw: string): UaContext | null {
  const ua = uaRaw.slice(0, MAX_UA);
  const pick = (name: string, token: string): UaContext | null => {
    if (ua.indexOf(token) === -1) return null;
    const v = version(ua, token);
    return v ? { name, version: v } : { name };
  };
  if (/bot|crawler|spider/i.test(ua.slice(0, 200)) && ua.indexOf('Mozilla') === -1) return null;
  return (
    pick('Edge', 'Edg/') ?? pick('Edge', 'EdgA/') ?? pick('Edge', 'EdgiOS/') ?? pick('Edge', 'Edge/') ??
    pick('Opera', 'OPR/') ?? pick('Samsung Internet', 'SamsungBrowser/') ??
    pick('Firefox iOS', 'FxiOS/') ?? pick('Firefox', 'Firefox/') ??
    pick('Chrome Mobile iOS', 'CriOS/') ??
    (ua.indexOf('Chrome/') !== -1 && ua.indexOf('Mobile') !== -1 && ua.indexOf('Android') !== -1
      ? pick('Chrome Mobile', 'Chrome/')
      : pick('Chrome', 'Chrome/')) ??
    (ua.indexOf('Safari/') !== -1 && ua.indexOf('Version/') !== -1
      ? pick(ua.indexOf('Mobile') !== -1 ? 'Mobile Safari' : 'Safari', 'Version/')
      : null) ??
    pick('IE', 'MSIE ') ??
    (ua.indexOf('Trident/') !== -1 ? { name: 'IE', version: version(ua, 'rv:') ?? '11.0' } : null)
  );
}

const WINDOWS: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7', '6.0': 'Vista', '5.1': 'XP' };

export function osFromUserAgent(uaRaw: string): UaContext | null {
  const ua = uaRaw.slice(0, MAX_UA);
  const withVersion = (name: string, v: string | undefined): UaContext => (v ? { name, version: v } : { name });
  if (ua.indexOf('Windows NT ') !== -1) {
    const v = version(ua, 'Windows NT ');
    return withVersion('Windows', v ? WINDOWS[v] ?? v : undefined);
  }
  if (ua.indexOf('iPhone') !== -1 || ua.indexOf('iPad') !== -1 || ua.indexOf('iPod') !== -1) {
    return withVersion('iOS', version(ua, 'iPhone OS ') ?? version(ua, 'CPU OS '));
  }
  if (ua.indexOf('Android') !== -1) return withVersion('Android', version(ua, 'Android '));
  if (ua.indexOf('CrOS') !== -1) return { name: 'Chrome OS' };
  if (ua.indexOf('Mac OS X') !== -1) return withVersion('Mac OS X', version(ua, 'Mac OS X '));
  if (ua.indexOf('Linux') !== -1) return { name: 'Linux' };
  return null;
}
