// One issue: title, culprit, status actions, assignee, counts, events over time, tag distributions,
// navigation between its events, the event itself, activity and comments.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { get, getPage, qs, send, type EventSummary, type FullEvent, type Issue, type Tag } from '../api.ts';
import { EventsChart } from '../components/Chart.tsx';
import { EventView } from '../components/EventView.tsx';
import { IssueActions, type IssueUpdate } from '../components/IssueActions.tsx';
import { absoluteTime, clip, compact, timeAgo } from '../format.ts';

interface Activity {
  id: string;
  type: string;
  user: { name?: string; email?: string } | null;
  data: Record<string, unknown>;
  dateCreated: string;
}

const BAR_COLORS = ['var(--accent)', '#2bb5a0', '#e19b12', '#e5484d', '#3b82f6', '#8b8a97'];

function TagBars({ tags }: { tags: Tag[] }) {
  return (
    <div>
      {tags.map((t) => (
        <div className="tagbar" key={t.key}>
          <div className="name">
            <span>{clip(t.name, 60)}</span>
            <span className="faint">{t.uniqueValues} value{t.uniqueValues === 1 ? '' : 's'}</span>
          </div>
          <div className="bar" title={t.topValues.map((v) => `${v.value}: ${v.count}`).join('\n')}>
            {t.topValues.map((v, i) => (
              <span key={v.value} style={{ width: `${(100 * v.count) / Math.max(1, t.totalValues)}%`, background: BAR_COLORS[i % BAR_COLORS.length] }} />
            ))}
          </div>
          <div className="faint" style={{ fontSize: 12, marginTop: 2, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
            {clip(t.topValues[0]?.value ?? '', 80)} {t.topValues[0] ? `${Math.round((100 * t.topValues[0].count) / Math.max(1, t.totalValues))}%` : ''}
          </div>
        </div>
      ))}
    </div>
  );
}

function describe(a: Activity): string {
  const who = a.user?.name || a.user?.email || 'Faultline';
  switch (a.type) {
    case 'first_seen':
      return 'First seen';
    case 'set_resolved':
      return `${who} resolved the issue`;
    case 'set_resolved_in_release':
      return `${who} resolved the issue in a release`;
    case 'set_unresolved':
      return `${who} unresolved the issue`;
    case 'set_ignored':
      return `${who} ignored the issue`;
    case 'set_regression':
      return `Regressed${a.data.version ? ` in ${String(a.data.version)}` : ''}`;
    case 'assigned':
      return `${who} assigned the issue${a.data.assigneeName ? ` to ${String(a.data.assigneeName)}` : ''}`;
    case 'unassigned':
      return `${who} unassigned the issue`;
    case 'merge':
      return `${who} merged issues into this one`;
    case 'unmerge_source':
    case 'unmerge_destination':
      return `${who} unmerged a fingerprint`;
    case 'note':
      return `${who} commented`;
    default:
      return `${who}: ${a.type.replace(/_/g, ' ')}`;
  }
}

function ActivityPanel({ issueId }: { issueId: string }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const activity = useQuery({ queryKey: ['activity', issueId], queryFn: async () => (await get<{ activity: Activity[] }>(`/issues/${issueId}/activities/`)).activity });
  const comment = useMutation({
    mutationFn: (t: string) => send('POST', `/issues/${issueId}/comments/`, { text: t }),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['activity', issueId] });
      void queryClient.invalidateQueries({ queryKey: ['issue', issueId] });
    },
  });
  return (
    <div className="panel section">
      <div className="panel-head">
        <h2 style={{ margin: 0 }}>Activity</h2>
      </div>
      <div className="panel-body">
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (text.trim()) comment.mutate(text.trim());
          }}
        >
          <textarea className="input" style={{ width: '100%', minHeight: 60 }} placeholder="Add a comment…" aria-label="Comment" value={text} onChange={(e) => setText(e.target.value)} />
          <div className="row" style={{ justifyContent: 'flex-end', marginTop: 6 }}>
            <button className="btn small primary" type="submit" disabled={comment.isPending || !text.trim()}>
              Comment
            </button>
          </div>
          {comment.isError && <div className="error-text">{(comment.error as Error).message}</div>}
        </form>
        {activity.isError && <div className="muted">Activity is not available.</div>}
        {activity.data?.map((a) => (
          <div className="activity-item" key={a.id}>
            <div>{describe(a)}</div>
            {a.type === 'note' && <div style={{ whiteSpace: 'pre-wrap', marginTop: 4 }}>{clip(a.data.text, 5000)}</div>}
            <div className="when" title={absoluteTime(a.dateCreated)}>
              {timeAgo(a.dateCreated)}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}

function EventsList({ org, issueId }: { org: string; issueId: string }) {
  const [cursor, setCursor] = useState('');
  const page = useQuery({ queryKey: ['events', issueId, cursor], queryFn: () => getPage<EventSummary>(`/issues/${issueId}/events/${qs({ cursor, limit: 25 })}`) });
  return (
    <div className="panel">
      <table className="list">
        <thead>
          <tr>
            <th>Event</th>
            <th>When</th>
            <th>Environment</th>
            <th>Release</th>
            <th>User</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.map((e) => (
            <tr key={e.eventID}>
              <td>
                <Link href={`/organizations/${org}/issues/${issueId}/events/${e.eventID}/`} className="mono">
                  {e.eventID.slice(0, 12)}
                </Link>{' '}
                <span className="muted">{clip(e.message || e.title, 120)}</span>
              </td>
              <td title={absoluteTime(e.dateCreated)}>{timeAgo(e.dateCreated)}</td>
              <td>{clip(e.environment ?? '', 60)}</td>
              <td>{clip(e.release ?? '', 60)}</td>
              <td>{clip((e.user?.email ?? e.user?.id ?? e.user?.ip_address ?? '') as string, 80)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager" style={{ padding: 10 }}>
        <button className="btn small" disabled={!page.data?.previous} onClick={() => setCursor(page.data!.previous!)}>
          ← Newer
        </button>
        <button className="btn small" disabled={!page.data?.next} onClick={() => setCursor(page.data!.next!)}>
          Older →
        </button>
      </div>
    </div>
  );
}

export default function IssueDetail({ org, issueId, eventId }: { org: string; issueId: string; eventId?: string }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [tab, setTab] = useState<'details' | 'events'>('details');
  const [period, setPeriod] = useState<'24h' | '30d'>('24h');
  const issue = useQuery({ queryKey: ['issue', issueId], queryFn: () => get<Issue>(`/issues/${issueId}/`) });
  const event = useQuery({ queryKey: ['event', issueId, eventId ?? 'latest'], queryFn: () => get<FullEvent>(`/issues/${issueId}/events/${eventId ?? 'latest'}/`), enabled: issue.isSuccess });
  const tags = useQuery({ queryKey: ['issue-tags', issueId], queryFn: () => get<Tag[]>(`/issues/${issueId}/tags/`), enabled: issue.isSuccess });
  const update = useMutation({
    mutationFn: (body: IssueUpdate) => send<Issue>('PUT', `/issues/${issueId}/`, body),
    onSuccess: (data) => {
      if (data) queryClient.setQueryData(['issue', issueId], (old: Issue | undefined) => ({ ...old, ...data }));
      void queryClient.invalidateQueries({ queryKey: ['issue', issueId] });
      void queryClient.invalidateQueries({ queryKey: ['activity', issueId] });
      void queryClient.invalidateQueries({ queryKey: ['issues'] });
    },
  });

  if (issue.isError) return <div className="empty-state error-text">{(issue.error as Error).message}</div>;
  if (!issue.data) return <div className="muted">Loading…</div>;
  const i = issue.data;
  const series = (i.stats?.[period] ?? []) as Array<[number, number]>;
  const ev = event.data;
  const eventLink = (id: string | null) => (id ? `/organizations/${org}/issues/${issueId}/events/${id}/` : null);

  return (
    <div>
      <div className="muted" style={{ fontSize: 13, marginBottom: 8 }}>
        <Link href={`/organizations/${org}/issues/`}>Issues</Link> / <span className="mono">{i.shortId}</span>
      </div>
      <div className="detail-head">
        <div className="titles">
          <div className="row" style={{ gap: 8 }}>
            <span className={`level level-${i.level}`} title={i.level} />
            <h1>{clip(i.metadata?.type ?? i.title, 300)}</h1>
          </div>
          {i.metadata?.value && <div className="value" title={clip(i.metadata.value, 2000)}>{clip(i.metadata.value, 300)}</div>}
          {!i.metadata?.value && i.metadata?.type && i.title !== i.metadata.type && <div className="value">{clip(i.title, 1000)}</div>}
          <div className="row muted" style={{ marginTop: 6, fontSize: 13 }}>
            {i.culprit && <span className="mono">{clip(i.culprit, 300)}</span>}
            <span className="tag">{i.project.slug}</span>
            <span className={`tag ${i.status === 'resolved' ? 'ok' : i.substatus === 'regressed' ? 'err' : ''}`}>
              {i.status}
              {i.substatus && i.status === 'unresolved' && i.substatus !== 'ongoing' ? ` · ${i.substatus}` : ''}
            </span>
            {i.assignedTo && <span className="tag accent">assigned to {clip(i.assignedTo.name, 80)}</span>}
          </div>
        </div>
        <div className="counts">
          <div>
            <div className="n">{compact(i.count)}</div>
            <div className="l">Events</div>
          </div>
          <div>
            <div className="n">{compact(i.userCount)}</div>
            <div className="l">Users</div>
          </div>
        </div>
      </div>
      <div className="row" style={{ marginBottom: 14 }}>
        <IssueActions org={org} count={1} status={i.status} busy={update.isPending} onUpdate={(body) => update.mutate(body)} />
        <button className="btn small danger" onClick={async () => {
          if (!window.confirm('Delete this issue and all its events?')) return;
          await send('DELETE', `/issues/${issueId}/`);
          void queryClient.invalidateQueries({ queryKey: ['issues'] });
          navigate(`/organizations/${org}/issues/`);
        }}>
          Delete
        </button>
        <span className="grow" />
        <span className="muted" style={{ fontSize: 12.5 }} title={`First seen ${absoluteTime(i.firstSeen)}`}>
          First seen {timeAgo(i.firstSeen)} · last seen {timeAgo(i.lastSeen)}
          {i.firstRelease ? ` · first release ${clip(i.firstRelease.version, 60)}` : ''}
        </span>
      </div>
      {update.isError && <div className="error-text" role="alert">{(update.error as Error).message}</div>}

      <div className="detail-grid">
        <div>
          <div className="panel section">
            <div className="panel-head">
              <h2 style={{ margin: 0 }}>Events over time</h2>
              <span className="grow" />
              <div className="btn-group">
                {(['24h', '30d'] as const).map((p) => (
                  <button key={p} className={`btn small${p === period ? ' primary' : ''}`} onClick={() => setPeriod(p)}>
                    {p}
                  </button>
                ))}
              </div>
            </div>
            <div className="panel-body">
              <EventsChart series={series} />
            </div>
          </div>
          <nav className="tabs" style={{ marginBottom: 12 }}>
            <a href="#" className={tab === 'details' ? 'active' : ''} onClick={(e) => (e.preventDefault(), setTab('details'))}>
              Details
            </a>
            <a href="#" className={tab === 'events' ? 'active' : ''} onClick={(e) => (e.preventDefault(), setTab('events'))}>
              All events
            </a>
          </nav>
          {tab === 'events' ? (
            <EventsList org={org} issueId={issueId} />
          ) : (
            <>
              <div className="event-nav">
                <b>Event</b>
                {ev && <span className="mono">{ev.eventID.slice(0, 12)}</span>}
                {ev && <span className="muted" title={absoluteTime(ev.dateCreated)}>{timeAgo(ev.dateCreated)}</span>}
                <span className="grow" />
                <div className="btn-group">
                  <Link className="btn small" href={`/organizations/${org}/issues/${issueId}/events/oldest/`}>
                    Oldest
                  </Link>
                  <EventNavButton href={eventLink(ev?.previousEventID ?? null)} label="‹ Older" />
                  <EventNavButton href={eventLink(ev?.nextEventID ?? null)} label="Newer ›" />
                  <Link className="btn small" href={`/organizations/${org}/issues/${issueId}/`}>
                    Latest
                  </Link>
                </div>
              </div>
              {event.isError && <div className="error-text">{(event.error as Error).message}</div>}
              {ev && <EventView event={ev} org={org} projectSlug={i.project.slug} />}
            </>
          )}
        </div>
        <div>
          <div className="panel section">
            <div className="panel-head">
              <h2 style={{ margin: 0 }}>Tags</h2>
            </div>
            <div className="panel-body">{tags.data ? <TagBars tags={tags.data} /> : <div className="muted">Loading…</div>}</div>
          </div>
          <ActivityPanel issueId={issueId} />
        </div>
      </div>
    </div>
  );
}

function EventNavButton({ href, label }: { href: string | null; label: string }) {
  if (!href)
    return (
      <button className="btn small" disabled>
        {label}
      </button>
    );
  return (
    <Link className="btn small" href={href}>
      {label}
    </Link>
  );
}
