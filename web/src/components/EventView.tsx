// One event: exception chain with stack frames, message, breadcrumbs, request, user, contexts, tags,
// SDK, "why grouped" and the raw JSON. Every value from the event is rendered as text.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { get, type Breadcrumb, type ExceptionValue, type FullEvent, type Frame } from '../api.ts';
import { absoluteTime, clip } from '../format.ts';

function KV({ rows }: { rows: Array<[string, unknown]> }) {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (shown.length === 0) return <div className="muted">Nothing sent.</div>;
  return (
    <div className="kv">
      {shown.map(([k, v]) => (
        <Pair key={k} k={k} v={v} />
      ))}
    </div>
  );
}

function Pair({ k, v }: { k: string; v: unknown }) {
  const text = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  return (
    <>
      <div>{clip(k, 200)}</div>
      <div>{typeof v === 'object' ? <pre>{clip(text, 4000)}</pre> : clip(text, 4000)}</div>
    </>
  );
}

function frameLocation(f: Frame): string {
  const file = f.filename || f.abs_path || f.module || '?';
  return `${file}${f.lineno ? `:${f.lineno}` : ''}${f.colno ? `:${f.colno}` : ''}`;
}

function FrameView({ frame, open: initiallyOpen }: { frame: Frame; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const hasContext = !!frame.context_line || (frame.vars && Object.keys(frame.vars).length > 0);
  const start = (frame.lineno ?? 0) - (frame.pre_context?.length ?? 0);
  return (
    <div className={`frame${frame.in_app ? ' in-app' : ''}`}>
      <div className="frame-head" onClick={() => hasContext && setOpen((o) => !o)} role={hasContext ? 'button' : undefined} aria-expanded={hasContext ? open : undefined}>
        <span className="fn">{clip(frame.function || '<anonymous>', 300)}</span>
        <span className="loc">{clip(frameLocation(frame), 500)}</span>
        {frame.in_app && <span className="tag accent">in app</span>}
      </div>
      {open && hasContext && (
        <div className="frame-body">
          {frame.context_line !== undefined && (
            <pre className="context">
              {(frame.pre_context ?? []).map((l, i) => (
                <div key={`p${i}`}>
                  <span className="ln">{start + i}</span>
                  {clip(l, 400)}
                </div>
              ))}
              <div className="cur">
                <span className="ln">{frame.lineno ?? ''}</span>
                {clip(frame.context_line, 400)}
              </div>
              {(frame.post_context ?? []).map((l, i) => (
                <div key={`n${i}`}>
                  <span className="ln">{(frame.lineno ?? 0) + i + 1}</span>
                  {clip(l, 400)}
                </div>
              ))}
            </pre>
          )}
          {frame.vars && Object.keys(frame.vars).length > 0 && (
            <div className="vars">
              <h3>Local variables</h3>
              <KV rows={Object.entries(frame.vars)} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** Frames newest (crashing) first; runs of library frames collapsed. */
function Frames({ frames }: { frames: Frame[] }) {
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const list = [...frames].reverse();
  const anyInApp = list.some((f) => f.in_app);
  const out: React.ReactNode[] = [];
  let i = 0;
  while (i < list.length) {
    if (anyInApp && !list[i].in_app) {
      let j = i;
      while (j < list.length && !list[j].in_app) j++;
      const run = j - i;
      if (run > 1 && !expanded.has(i) && i !== 0) {
        const at = i;
        out.push(
          <div key={`c${i}`} className="collapsed-frames" role="button" onClick={() => setExpanded((s) => new Set(s).add(at))}>
            Show {run} library frames
          </div>,
        );
        i = j;
        continue;
      }
    }
    out.push(<FrameView key={i} frame={list[i]} open={i === list.findIndex((f) => f.in_app) || (!anyInApp && i === 0)} />);
    i++;
  }
  return <div className="frames">{out}</div>;
}

/** Long text shows its start, with a button for the rest (values can be megabytes). */
function LongText({ text, className, limit = 600 }: { text: string; className?: string; limit?: number }) {
  const [all, setAll] = useState(false);
  if (text.length <= limit) return <div className={className}>{text}</div>;
  return (
    <div className={className}>
      {all ? clip(text, 100_000) : `${text.slice(0, limit)}…`}{' '}
      <button className="btn small" onClick={() => setAll((a) => !a)}>
        {all ? 'Show less' : `Show all ${text.length.toLocaleString()} characters`}
      </button>
    </div>
  );
}

function Exceptions({ values }: { values: ExceptionValue[] }) {
  // Sentry's order is oldest → newest, the last one raised; show the raised one first.
  const list = [...values].reverse();
  return (
    <>
      {list.map((exc, i) => (
        <div className="exception" key={i}>
          {i > 0 && <div className="muted" style={{ fontSize: 12.5, marginBottom: 4 }}>caused by</div>}
          <div className="exc-type">
            {clip(exc.type ?? 'Error', 300)}
            {exc.mechanism && exc.mechanism.handled === false && (
              <span className="tag err" style={{ marginLeft: 8 }}>
                unhandled
              </span>
            )}
          </div>
          {exc.value && <LongText text={exc.value} className="exc-value" />}
          {exc.stacktrace?.frames?.length ? <Frames frames={exc.stacktrace.frames} /> : <div className="muted">No stack trace.</div>}
        </div>
      ))}
    </>
  );
}

function Breadcrumbs({ values }: { values: Breadcrumb[] }) {
  const [all, setAll] = useState(false);
  const list = [...values].reverse();
  const shown = all ? list : list.slice(0, 15);
  return (
    <div className="crumbs">
      {shown.map((b, i) => (
        <div className="crumb" key={i}>
          <span className={`tag ${b.level === 'error' || b.level === 'fatal' ? 'err' : b.level === 'warning' ? 'warn' : ''}`}>{clip(b.type ?? 'default', 40)}</span>
          <span className="cat muted">{clip(b.category ?? '', 60)}</span>
          <span className="msg">
            {clip(b.message ?? '', 2000)}
            {b.data && Object.keys(b.data).length > 0 && <span className="faint"> {clip(JSON.stringify(b.data), 600)}</span>}
          </span>
          <span className="time faint">{b.timestamp !== undefined ? new Date(typeof b.timestamp === 'number' ? b.timestamp * 1000 : b.timestamp).toLocaleTimeString() : ''}</span>
        </div>
      ))}
      {list.length > 15 && !all && (
        <button className="btn small" style={{ marginTop: 8 }} onClick={() => setAll(true)}>
          Show all {list.length}
        </button>
      )}
    </div>
  );
}

function Section({ title, children, id }: { title: string; children: React.ReactNode; id?: string }) {
  return (
    <section className="panel section" id={id}>
      <div className="panel-head">
        <h2 style={{ margin: 0 }}>{title}</h2>
      </div>
      <div className="panel-body">{children}</div>
    </section>
  );
}

function GroupingInfo({ org, project, eventId }: { org: string; project: string; eventId: string }) {
  const [open, setOpen] = useState(false);
  const info = useQuery({
    queryKey: ['grouping', org, project, eventId],
    queryFn: () => get<{ hash: string; variant: string; version: string; variants: Record<string, { type: string; hash: string | null; contributes: boolean; component?: unknown; values?: string[] }> }>(`/projects/${org}/${project}/events/${eventId}/grouping-info/`),
    enabled: open,
  });
  return (
    <Section title="Why grouped" id="grouping">
      {!open ? (
        <button className="btn small" onClick={() => setOpen(true)}>
          Show the grouping components
        </button>
      ) : info.data ? (
        <div>
          <p className="muted" style={{ marginTop: 0 }}>
            Grouped by the <b>{info.data.variant}</b> variant (grouping {info.data.version}), hash <code>{info.data.hash}</code>. Only contributing values made the hash.
          </p>
          {Object.entries(info.data.variants).map(([name, v]) => (
            <div key={name} style={{ marginBottom: 10 }}>
              <div className="row">
                <b>{name}</b>
                <span className={`tag ${v.contributes ? 'accent' : ''}`}>{v.contributes ? 'contributes' : 'does not contribute'}</span>
                {v.hash && <code className="faint">{v.hash}</code>}
              </div>
              {v.values && <pre className="raw">{clip(JSON.stringify(v.values, null, 2), 4000)}</pre>}
              {v.component !== undefined && <ComponentTree node={v.component} />}
            </div>
          ))}
        </div>
      ) : (
        <div className="muted">Loading…</div>
      )}
    </Section>
  );
}

function ComponentTree({ node }: { node: unknown }) {
  if (typeof node === 'string') return <span className="mono">{clip(JSON.stringify(node), 300)}</span>;
  const n = node as { id?: string; contributes?: boolean; hint?: string | null; values?: unknown[] };
  if (!n || typeof n !== 'object') return null;
  return (
    <div style={{ marginLeft: 12, opacity: n.contributes === false ? 0.5 : 1, fontSize: 12.5 }}>
      <span className="mono">{clip(n.id ?? '', 60)}</span>
      {n.hint && <span className="faint"> ({clip(n.hint, 200)})</span>}
      {(n.values ?? []).slice(0, 300).map((c, i) => (
        <ComponentTree key={i} node={c} />
      ))}
    </div>
  );
}

function traceId(event: FullEvent): string | null {
  const id = event.contexts?.trace?.trace_id;
  return typeof id === 'string' && /^[0-9a-f]{32}$/i.test(id) ? id : null;
}

export function EventView({ event, org, projectSlug }: { event: FullEvent; org: string; projectSlug: string }) {
  const entry = (type: string) => event.entries.find((e) => e.type === type)?.data;
  const exception = entry('exception');
  const message = entry('message');
  const breadcrumbs = entry('breadcrumbs');
  const request = entry('request');
  const threads = entry('threads');
  const [raw, setRaw] = useState(false);
  return (
    <div>
      {exception && (
        <Section title="Exception">
          <Exceptions values={exception.values} />
        </Section>
      )}
      {message && (
        <Section title="Message">
          <pre className="raw">{clip(message.formatted ?? message.message ?? '', 8000)}</pre>
        </Section>
      )}
      {!exception && threads?.values?.some((t: { stacktrace?: unknown }) => t.stacktrace) && (
        <Section title="Stack trace">
          <Exceptions values={threads.values.filter((t: { stacktrace?: unknown }) => t.stacktrace).slice(0, 1).map((t: { name?: string; stacktrace: { frames: Frame[] } }) => ({ type: t.name ?? 'Thread', stacktrace: t.stacktrace }))} />
        </Section>
      )}
      {breadcrumbs && (
        <Section title="Breadcrumbs">
          <Breadcrumbs values={breadcrumbs.values} />
        </Section>
      )}
      {request && (
        <Section title="Request">
          <KV
            rows={[
              ['Method', request.method],
              ['URL', request.url],
              ['Query', request.query_string],
              ['Data', request.data],
              ['Headers', request.headers],
              ['Cookies', request.cookies],
              ['Environment', request.env],
            ]}
          />
        </Section>
      )}
      <Section title="Tags">
        <div className="row">
          {event.tags.map((t) => (
            <span className="tag" key={t.key} title={`${t.key}: ${t.value}`}>
              <span className="faint">{clip(t.key, 60)}</span> {clip(t.value, 120)}
            </span>
          ))}
        </div>
      </Section>
      {event.user && Object.keys(event.user).length > 0 && (
        <Section title="User">
          <KV rows={Object.entries(event.user)} />
        </Section>
      )}
      {Object.keys(event.contexts ?? {}).length > 0 && (
        <Section title="Contexts">
          {Object.entries(event.contexts).map(([name, ctx]) => (
            <div key={name} style={{ marginBottom: 12 }}>
              <h3>{clip(name, 60)}</h3>
              <KV rows={Object.entries(ctx ?? {}).filter(([k]) => k !== 'type')} />
            </div>
          ))}
        </Section>
      )}
      {Object.keys(event.context ?? {}).length > 0 && (
        <Section title="Additional data">
          <KV rows={Object.entries(event.context)} />
        </Section>
      )}
      <Section title="Event">
        <KV
          rows={[
            ['Event ID', event.eventID],
            ['Occurred', absoluteTime(event.dateCreated)],
            ['Received', absoluteTime((event as unknown as { dateReceived: string }).dateReceived)],
            ['Release', event.release?.version ?? event.release],
            ['Environment', event.environment],
            ['Platform', event.platform],
            ['SDK', event.sdk ? `${event.sdk.name ?? ''} ${event.sdk.version ?? ''}` : null],
            ['Fingerprints', event.fingerprints.join(', ')],
          ]}
        />
      </Section>
      <GroupingInfo org={org} project={projectSlug} eventId={event.eventID} />
      {traceId(event) && (
        <Section title="Trace">
          <div className="row">
            <span className="mono">{traceId(event)}</span>
            <Link href={`/organizations/${org}/logs/?query=${encodeURIComponent(`trace:${traceId(event)}`)}&statsPeriod=14d`}>Logs of this trace</Link>
            <Link href={`/organizations/${org}/issues/?query=${encodeURIComponent(`trace:${traceId(event)}`)}`}>Other errors of this trace</Link>
          </div>
        </Section>
      )}
      <Section title="Raw JSON">
        {raw ? (
          <pre className="raw">{clip(JSON.stringify(event, null, 2), 200_000)}</pre>
        ) : (
          <button className="btn small" onClick={() => setRaw(true)}>
            Show the raw event
          </button>
        )}
      </Section>
    </div>
  );
}
