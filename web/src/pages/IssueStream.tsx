// The issue stream across all services. The URL holds the whole view (query, projects, environment,
// sort, period, cursor), so a link reproduces it. Keyboard: j/k move, enter open, x select, r resolve,
// i ignore, / search.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { get, getPage, qs, send, type Issue, type Project } from '../api.ts';
import { IssueActions, type IssueUpdate } from '../components/IssueActions.tsx';
import { Sparkline } from '../components/Chart.tsx';
import { SearchBar } from '../components/SearchBar.tsx';
import { compact, initials, timeAgo } from '../format.ts';
import { Onboarding } from './Onboarding.tsx';

const TABS: Array<{ label: string; query: string }> = [
  { label: 'Unresolved', query: 'is:unresolved' },
  { label: 'For review', query: 'is:for_review' },
  { label: 'Ignored', query: 'is:ignored' },
  { label: 'Resolved', query: 'is:resolved' },
  { label: 'All', query: '' },
];
const SORTS: Array<[string, string]> = [
  ['date', 'Last seen'],
  ['new', 'First seen'],
  ['freq', 'Events'],
  ['user', 'Users'],
  ['priority', 'Priority'],
];

/** The status tab a query belongs to, and the rest of the query without it. */
function splitStatus(query: string): { tab: string | null; rest: string } {
  for (const t of TABS) {
    if (!t.query) continue;
    const re = new RegExp(`(^|\\s)${t.query.replace(':', ':')}(?=\\s|$)`);
    if (re.test(query)) return { tab: t.query, rest: query.replace(re, ' ').trim() };
  }
  return { tab: null, rest: query };
}

/** The view the URL's search part describes, and the API path of its page of issues. */
function streamView(org: string, search: string) {
  const params = new URLSearchParams(search);
  const query = params.has('query') ? params.get('query')! : 'is:unresolved';
  const sort = params.get('sort') ?? 'date';
  const projects = params.getAll('project');
  const environment = params.get('environment') ?? '';
  const statsPeriod = params.get('statsPeriod') ?? '24h';
  const cursor = params.get('cursor') ?? '';
  const listPath = `/organizations/${org}/issues/${qs({ query, sort, project: projects, environment, statsPeriod, cursor, limit: 25 })}`;
  return { params, query, sort, projects, environment, statsPeriod, cursor, listPath };
}

const issuesQuery = (listPath: string) => ({ queryKey: ['issues', listPath], queryFn: () => getPage<Issue>(listPath) });

/**
 * When the page is opened on the stream, asks for its issues at once, alongside the session, instead
 * of after the session has answered and the signed-in app has rendered (a first load's critical path).
 * Signed out, the request fails (401) and the stream asks again after sign-in.
 */
export function prefetchStream(queryClient: QueryClient, pathname: string, search: string): void {
  const org = /^\/organizations\/([^/]+)\/issues\/?$/.exec(pathname)?.[1];
  if (org) void queryClient.prefetchQuery({ ...issuesQuery(streamView(org, search).listPath), retry: false });
}

export function IssueStream({ org }: { org: string }) {
  const search = useSearch();
  const [, navigate] = useLocation();
  const { params, query, sort, projects, environment, statsPeriod, cursor, listPath } = streamView(org, search);
  const queryClient = useQueryClient();

  const setParams = (changes: Record<string, string | string[] | null>, keepCursor = false) => {
    const next = new URLSearchParams(search);
    if (!keepCursor) next.delete('cursor');
    for (const [k, v] of Object.entries(changes)) {
      next.delete(k);
      if (Array.isArray(v)) v.forEach((x) => next.append(k, x));
      else if (v !== null) next.set(k, v);
    }
    if (!next.has('query')) next.set('query', query);
    navigate(`/organizations/${org}/issues/?${next.toString()}`);
  };

  const projectList = useQuery({ queryKey: ['projects', org], queryFn: () => get<Project[]>(`/organizations/${org}/projects/`), staleTime: 60_000 });
  const environments = useQuery({ queryKey: ['environments', org], queryFn: () => get<Array<{ name: string }>>(`/organizations/${org}/environments/`), staleTime: 60_000 });
  const issues = useQuery({ ...issuesQuery(listPath), placeholderData: keepPreviousData, refetchInterval: 30_000 });

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [focus, setFocus] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const items = issues.data?.items ?? [];
  useEffect(() => {
    setSelected(new Set());
    setFocus(0);
  }, [listPath]);

  const update = useMutation({
    mutationFn: ({ ids, body }: { ids: string[]; body: IssueUpdate }) => send('PUT', `/organizations/${org}/issues/${qs({ id: ids })}`, body),
    onSuccess: () => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['issues'] });
    },
  });
  const targets = () => (selected.size > 0 ? [...selected] : items[focus] ? [items[focus].id] : []);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j') setFocus((f) => Math.min(items.length - 1, f + 1));
      else if (e.key === 'k') setFocus((f) => Math.max(0, f - 1));
      else if (e.key === 'Enter' && items[focus]) navigate(`/organizations/${org}/issues/${items[focus].id}/`);
      else if (e.key === 'x' && items[focus]) toggle(items[focus].id);
      else if (e.key === 'r' && targets().length) update.mutate({ ids: targets(), body: { status: 'resolved' } });
      else if (e.key === 'i' && targets().length) update.mutate({ ids: targets(), body: { status: 'ignored' } });
      else if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else return;
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function toggle(id: string) {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }

  const { tab } = splitStatus(query);
  const noEventsYet = issues.isSuccess && items.length === 0 && !cursor && query === 'is:unresolved' && projects.length === 0 && !environment;
  const emptyOrg = useQuery({
    queryKey: ['any-issue', org],
    queryFn: () => getPage<Issue>(`/organizations/${org}/issues/?query=&limit=1&statsPeriod=`),
    enabled: noEventsYet,
    refetchInterval: (q) => (q.state.data && q.state.data.items.length === 0 ? 3000 : false),
  });
  useEffect(() => {
    if (emptyOrg.data && emptyOrg.data.items.length > 0) void queryClient.invalidateQueries({ queryKey: ['issues'] });
  }, [emptyOrg.data, queryClient]);
  if (noEventsYet && emptyOrg.data && emptyOrg.data.items.length === 0 && projectList.data) return <Onboarding org={org} projects={projectList.data} />;

  const allSelected = items.length > 0 && items.every((i) => selected.has(i.id));
  const tabHref = (q: string) => `/organizations/${org}/issues/?${new URLSearchParams({ ...Object.fromEntries(params), query: [q, splitStatus(query).rest].filter(Boolean).join(' '), cursor: '' }).toString().replace(/&?cursor=(&|$)/, '$1')}`;

  return (
    <div>
      <div className="page-head">
        <h1>Issues</h1>
        <span className="grow" />
        <span className="muted shortcuts" style={{ fontSize: 12.5 }}>
          <span className="kbd">j</span>/<span className="kbd">k</span> move · <span className="kbd">↵</span> open · <span className="kbd">x</span> select · <span className="kbd">r</span> resolve · <span className="kbd">i</span> ignore ·{' '}
          <span className="kbd">/</span> search
        </span>
      </div>
      <div className="filters">
        <select className="input" aria-label="Project" value={projects[0] ?? ''} onChange={(e) => setParams({ project: e.target.value ? [e.target.value] : [] })}>
          <option value="">All projects</option>
          {projectList.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.slug}
            </option>
          ))}
        </select>
        <select className="input" aria-label="Environment" value={environment} onChange={(e) => setParams({ environment: e.target.value || null })}>
          <option value="">All environments</option>
          {environments.data?.map((env) => (
            <option key={env.name} value={env.name}>
              {env.name}
            </option>
          ))}
        </select>
        <SearchBar ref={searchRef} org={org} value={query} onSubmit={(q) => setParams({ query: q })} />
        <select className="input" aria-label="Sort by" value={sort} onChange={(e) => setParams({ sort: e.target.value })}>
          {SORTS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
        <select className="input" aria-label="Graph period" value={statsPeriod} onChange={(e) => setParams({ statsPeriod: e.target.value }, true)}>
          <option value="24h">24h</option>
          <option value="14d">14d</option>
        </select>
      </div>
      <nav className="tabs" aria-label="Status">
        {TABS.map((t) => (
          <Link key={t.label} href={tabHref(t.query)} className={(tab ?? '') === t.query ? 'active' : ''}>
            {t.label}
          </Link>
        ))}
      </nav>
      <div className="panel stream">
        <div className="stream-head">
          <input
            type="checkbox"
            aria-label="Select all on this page"
            checked={allSelected}
            onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((i) => i.id)))}
          />
          <div className="bulk">
            {selected.size > 0 ? (
              <>
                <span>{selected.size} selected</span>
                <IssueActions org={org} count={selected.size} busy={update.isPending} onUpdate={(body) => update.mutate({ ids: [...selected], body })} allowMerge />
              </>
            ) : (
              <span>Issue</span>
            )}
          </div>
          <div className="col-graph">Graph ({statsPeriod})</div>
          <div className="num">Events</div>
          <div className="num col-users">Users</div>
          <div className="col-assignee" />
        </div>
        {issues.isError && <div className="empty-state error-text">{(issues.error as Error).message}</div>}
        {issues.isSuccess && items.length === 0 && <div className="empty-state">No issues match. {query ? 'Try a broader search.' : ''}</div>}
        {items.map((issue, i) => (
          <IssueRow
            key={issue.id}
            org={org}
            issue={issue}
            period={statsPeriod}
            focused={i === focus}
            selected={selected.has(issue.id)}
            onToggle={() => toggle(issue.id)}
            onFocus={() => setFocus(i)}
          />
        ))}
      </div>
      <div className="pager">
        <button className="btn small" disabled={!issues.data?.previous} onClick={() => setParams({ cursor: issues.data!.previous! }, true)}>
          ← Previous
        </button>
        <span>{issues.isFetching ? 'Updating…' : `${items.length} issue${items.length === 1 ? '' : 's'} on this page`}</span>
        <button className="btn small" disabled={!issues.data?.next} onClick={() => setParams({ cursor: issues.data!.next! }, true)}>
          Next →
        </button>
      </div>
      {update.isError && <div className="toast">{(update.error as Error).message}</div>}
    </div>
  );
}

function IssueRow(props: { org: string; issue: Issue; period: string; focused: boolean; selected: boolean; onToggle(): void; onFocus(): void }) {
  const { issue, org } = props;
  const [, navigate] = useLocation();
  const series = useMemo(() => issue.stats?.[props.period] ?? [], [issue.stats, props.period]);
  const type = issue.metadata?.type;
  const value = issue.metadata?.value;
  const titleMain = type && issue.title.startsWith(type) ? type : issue.title;
  const titleRest = type && issue.title.startsWith(type) ? (value ?? issue.title.slice(type.length).replace(/^:\s*/, '')) : '';
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.focused) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [props.focused]);
  return (
    <div
      ref={ref}
      className={`issue-row${props.focused ? ' focused' : ''}${props.selected ? ' selected' : ''}`}
      onClick={() => navigate(`/organizations/${org}/issues/${issue.id}/`)}
      onMouseEnter={props.onFocus}
      data-issue-id={issue.id}
    >
      <input type="checkbox" aria-label={`Select ${issue.shortId}`} checked={props.selected} onClick={(e) => e.stopPropagation()} onChange={props.onToggle} />
      <div className="issue-main">
        <div className="issue-title">
          <span className={`level level-${issue.level}`} title={issue.level} />
          <Link href={`/organizations/${org}/issues/${issue.id}/`} className="t" onClick={(e) => e.stopPropagation()} style={{ color: 'inherit' }}>
            {titleMain}
          </Link>
          {titleRest && <span className="v">{titleRest}</span>}
        </div>
        <div className="issue-sub">
          <span className="mono">{issue.shortId}</span>
          <span className="tag">{issue.project.slug}</span>
          {issue.culprit && <span className="culprit">{issue.culprit}</span>}
          {issue.substatus === 'regressed' && <span className="tag err">regressed</span>}
          {issue.status === 'resolved' && <span className="tag ok">resolved</span>}
          {issue.status === 'ignored' && <span className="tag">ignored</span>}
          <span title={`Last seen ${issue.lastSeen}, first seen ${issue.firstSeen}`}>
            {timeAgo(issue.lastSeen)}
            {timeAgo(issue.firstSeen) !== timeAgo(issue.lastSeen) ? ` · first ${timeAgo(issue.firstSeen)}` : ''}
          </span>
          {issue.numComments ? <span>💬 {issue.numComments}</span> : null}
        </div>
      </div>
      <div className="col-graph">
        <Sparkline series={series} />
      </div>
      <div className="num">{compact(issue.count)}</div>
      <div className="num col-users">{compact(issue.userCount)}</div>
      <div className="col-assignee" title={issue.assignedTo ? `Assigned to ${issue.assignedTo.name}` : 'Unassigned'}>
        {issue.assignedTo ? <span className="avatar">{initials(issue.assignedTo.name)}</span> : <span className="avatar empty" />}
      </div>
    </div>
  );
}
