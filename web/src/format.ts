// Display helpers. Everything that came from an event is rendered as React text, never as HTML.

export function timeAgo(iso: string | number | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return '';
  const t = typeof iso === 'number' ? (iso < 1e12 ? iso * 1000 : iso) : Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  const units: Array<[number, string]> = [
    [60, 'min'],
    [3600, 'hr'],
    [86400, 'day'],
    [86400 * 30, 'mo'],
    [86400 * 365, 'yr'],
  ];
  let label = `${Math.max(1, Math.round(s / 60))}min`;
  for (let i = units.length - 1; i >= 0; i--) {
    const [sec, name] = units[i];
    if (s >= sec) {
      const n = Math.round(s / sec);
      label = `${n}${name === 'min' || name === 'hr' ? name : ` ${name}${n === 1 ? '' : 's'}`}`;
      break;
    }
  }
  return `${label} ago`;
}

export function absoluteTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '';
  const t = typeof iso === 'number' ? new Date(iso < 1e12 ? iso * 1000 : iso) : new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : t.toLocaleString();
}

export function compact(n: number | string): string {
  const v = typeof n === 'string' ? Number(n) : n;
  if (!Number.isFinite(v)) return String(n);
  if (v < 1000) return String(v);
  if (v < 1e6) return `${(v / 1000).toFixed(v < 1e4 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(v / 1e6).toFixed(1).replace(/\.0$/, '')}m`;
}

/** At most `max` characters, for values that could be megabytes long. */
export function clip(s: unknown, max = 500): string {
  const text = typeof s === 'string' ? s : s === null || s === undefined ? '' : JSON.stringify(s);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function initials(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}
