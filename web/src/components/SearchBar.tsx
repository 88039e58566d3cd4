// The search box: the query language of the API, with suggestions for keys and their values.
import { useQuery } from '@tanstack/react-query';
import { forwardRef, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { get, qs } from '../api.ts';
import { SearchIcon } from './Icons.tsx';

const BUILTIN_KEYS: Array<{ key: string; hint: string; values?: string[] }> = [
  { key: 'is', hint: 'status', values: ['unresolved', 'resolved', 'ignored', 'regressed', 'assigned', 'unassigned', 'for_review'] },
  { key: 'level', hint: 'severity', values: ['fatal', 'error', 'warning', 'info', 'debug'] },
  { key: 'environment', hint: 'environment' },
  { key: 'release', hint: 'release' },
  { key: 'assigned', hint: 'me, an email or #team', values: ['me', 'none'] },
  { key: 'user.email', hint: 'user' },
  { key: 'user.id', hint: 'user' },
  { key: 'times_seen', hint: '>100', values: ['>10', '>100', '>1000'] },
  { key: 'firstSeen', hint: '-24h', values: ['-1h', '-24h', '-7d', '-30d'] },
  { key: 'lastSeen', hint: '-24h', values: ['-1h', '-24h', '-7d', '+7d'] },
  { key: 'has', hint: 'a tag key' },
];

interface Props {
  org: string;
  value: string;
  onSubmit(query: string): void;
}

/** The token under the caret: `key:partial` or a partial key. */
function currentToken(text: string, caret: number): { start: number; end: number; key: string | null; partial: string } {
  let start = caret;
  while (start > 0 && !/\s/.test(text[start - 1])) start--;
  let end = caret;
  while (end < text.length && !/\s/.test(text[end])) end++;
  const token = text.slice(start, end).replace(/^!/, '');
  const colon = token.indexOf(':');
  return colon >= 0 ? { start, end, key: token.slice(0, colon), partial: token.slice(colon + 1) } : { start, end, key: null, partial: token };
}

export const SearchBar = forwardRef<HTMLInputElement, Props>(function SearchBar({ org, value, onSubmit }, ref) {
  const [text, setText] = useState(value);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  useEffect(() => setText(value), [value]);

  const token = currentToken(text, caret);
  const tagKeys = useQuery({ queryKey: ['tags', org], queryFn: () => get<Array<{ key: string; name: string }>>(`/organizations/${org}/tags/`), staleTime: 60_000 });
  const builtin = BUILTIN_KEYS.find((k) => k.key === token.key);
  const valueKey = token.key && token.key !== 'is' && token.key !== 'level' && token.key !== 'has' && !builtin?.values ? token.key : null;
  const values = useQuery({
    queryKey: ['tag-values', org, valueKey, token.partial],
    queryFn: () => get<Array<{ value: string; count: number }>>(`/organizations/${org}/tags/${encodeURIComponent(valueKey!)}/values/${qs({ query: token.partial })}`),
    enabled: open && !!valueKey,
    staleTime: 30_000,
  });

  const suggestions = useMemo(() => {
    const partial = token.partial.toLowerCase();
    if (token.key === null) {
      const keys = [...BUILTIN_KEYS.map((k) => ({ key: k.key, hint: k.hint })), ...(tagKeys.data ?? []).filter((t) => !BUILTIN_KEYS.some((b) => b.key === t.key)).map((t) => ({ key: t.key, hint: 'tag' }))];
      return keys.filter((k) => partial !== '' && k.key.toLowerCase().startsWith(partial)).slice(0, 12).map((k) => ({ label: `${k.key}:`, hint: k.hint, insert: `${k.key}:` }));
    }
    if (token.key === 'has') return (tagKeys.data ?? []).filter((t) => t.key.toLowerCase().startsWith(partial)).slice(0, 12).map((t) => ({ label: t.key, hint: 'tag', insert: `has:${t.key}` }));
    const fixed = builtin?.values?.filter((v) => v.toLowerCase().startsWith(partial)).map((v) => ({ label: v, hint: '', insert: `${token.key}:${v}` }));
    if (fixed) return fixed;
    return (values.data ?? []).slice(0, 12).map((v) => ({ label: v.value, hint: String(v.count), insert: `${token.key}:${/[\s"]/.test(v.value) ? JSON.stringify(v.value) : v.value}` }));
  }, [token.key, token.partial, tagKeys.data, values.data, builtin]);

  function apply(insert: string) {
    const negated = text.slice(token.start, token.end).startsWith('!') ? '!' : '';
    const next = `${text.slice(0, token.start)}${negated}${insert}${insert.endsWith(':') ? '' : ' '}${text.slice(token.end).trimStart()}`;
    setText(next);
    const pos = token.start + negated.length + insert.length + (insert.endsWith(':') ? 0 : 1);
    setCaret(pos);
    setActive(0);
    requestAnimationFrame(() => {
      const el = (ref as React.RefObject<HTMLInputElement>)?.current;
      el?.setSelectionRange(pos, pos);
    });
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (open && suggestions.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (open && suggestions.length > 0 && e.key === 'Tab') {
      e.preventDefault();
      apply(suggestions[active].insert);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (open && suggestions.length > 0 && token.partial !== '' && token.key !== null && !text.slice(token.start, token.end).includes(' ')) {
        // Enter picks a value suggestion only when one is highlighted by the arrows.
      }
      setOpen(false);
      onSubmit(text.trim());
    } else if (e.key === 'Escape') {
      setOpen(false);
      (e.target as HTMLInputElement).blur();
    }
  }

  return (
    <div className="search">
      <SearchIcon />
      <input
        ref={ref}
        className="input"
        aria-label="Search issues"
        placeholder="Search: is:unresolved level:error environment:production user.email:…"
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setOpen(true);
          setActive(0);
        }}
        onSelect={(e) => setCaret((e.target as HTMLInputElement).selectionStart ?? 0)}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {open && suggestions.length > 0 && (
        <div className="menu suggest" role="listbox">
          {suggestions.map((s, i) => (
            <button key={s.insert} type="button" role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => e.preventDefault()} onClick={() => apply(s.insert)}>
              <span>{s.label}</span>
              <span className="faint">{s.hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
});
