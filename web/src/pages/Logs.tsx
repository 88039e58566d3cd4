// The logs explorer: the search language of the API, a time range, a stacked volume histogram by level,
// the records (level colours, expandable attributes), the patterns tab, and a live tail with pause.
// The URL holds the view. A record with a trace id links to the errors of that trace.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Link, useLocation, useSearch } from 'wouter';
import { get, getPage, qs, type Project } from '../api.ts';
import { Sparkline } from '../components/Chart.tsx';
import { SearchIcon } from '../components/Icons.tsx';
import { absoluteTime, clip, compact } from '../format.ts';

interface LogRecord {
  id: string;
  timestamp: string;
  level: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
  project: { id: string; slug: string };
  patternId: string;
  release: string | null;
  environment: string | null;
  service: string | null;
  attributes: Record<string, unknown>;
}
interface Pattern {
  id: string;
  pattern: string;
  count: number;
  levels: Record<string, number>;
  sample: string;
  lastSeen: string;
  project: { slug: string };
  stats: Array<[number, number]>;
}
interface Bucket {
  time: number;
  counts: Record<string, number>;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const LEVEL_VAR: Record<string, string> = { trace: '--debug', debug: '--debug', info: '--info', warn: '--warning', error: '--error', fatal: '--fatal' };
const PERIODS = ['15m', '1h', '6h', '24h', '7d', '14d'];

function cssVar(name: string) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function VolumeChart({ buckets }: { buckets: Bucket[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || buckets.length === 0) return;
    const present = LEVELS.filter((l) => buckets.some((b) => b.counts[l]));
    const levels = present.length > 0 ? present : ['info'];
    // Stacked: each series is the running sum up to its level, drawn from the top level down.
    const xs = buckets.map((b) => b.time);
    const sums = levels.map((_, i) => buckets.map((b) => levels.slice(0, i + 1).reduce((n, l) => n + (b.counts[l] ?? 0), 0)));
    const data = [xs, ...sums.reverse()] as uPlot.AlignedData;
    const ordered = [...levels].reverse();
    const grid = cssVar('--border');
    const axis = cssVar('--muted');
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 130,
        legend: { show: true, live: true },
        cursor: { points: { show: false }, drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _a, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 44 },
        ],
        series: [
          {},
          ...ordered.map((l) => ({
            label: l,
            stroke: cssVar(LEVEL_VAR[l]),
            fill: cssVar(LEVEL_VAR[l]),
            width: 0,
            paths: uPlot.paths.bars!({ size: [0.85, 40] }),
            points: { show: false },
            value: (u: uPlot, _v: number | null, si: number, i: number | null) => {
              if (i === null) return '–';
              const level = ordered[si - 1];
              return String(buckets[i]?.counts[level] ?? 0);
            },
          })),
        ],
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 130 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [buckets]);
  return <div ref={ref} className="chart" aria-label="Log volume by level" />;
}

function LogRow({ r, org }: { r: LogRecord; org: string }) {
  const [open, setOpen] = useState(false);
  const entries = Object.entries(r.attributes ?? {});
  return (
    <div className="log-row" data-level={r.level}>
      <div className="log-line" role="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className={`level level-${r.level === 'warn' ? 'warning' : r.level === 'trace' ? 'debug' : r.level}`} title={r.level} />
        <span className="faint mono log-time" title={absoluteTime(r.timestamp)}>
          {new Date(r.timestamp).toLocaleTimeString()}
        </span>
        <span className="tag">{r.service ?? r.project.slug}</span>
        <span className="log-body mono">{clip(r.body, 2000)}</span>
      </div>
      {open && (
        <div className="log-detail">
          <div className="kv">
            <div>time</div>
            <div>{absoluteTime(r.timestamp)}</div>
            <div>level</div>
            <div>{r.level}</div>
            <div>project</div>
            <div>{r.project.slug}</div>
            {r.release && (
              <>
                <div>release</div>
                <div>{clip(r.release, 200)}</div>
              </>
            )}
            {r.environment && (
              <>
                <div>environment</div>
                <div>{clip(r.environment, 100)}</div>
              </>
            )}
            {r.traceId && (
              <>
                <div>trace</div>
                <div className="row">
                  <span className="mono">{r.traceId}</span>
                  <Link href={`/organizations/${org}/issues/?query=${encodeURIComponent(`trace:${r.traceId}`)}`}>Errors of this trace</Link>
                  <Link href={`/organizations/${org}/logs/?query=${encodeURIComponent(`trace:${r.traceId}`)}`}>All logs of this trace</Link>
                </div>
              </>
            )}
            <div>pattern</div>
            <div>
              <Link href={`/organizations/${org}/logs/?query=${encodeURIComponent(`pattern:${r.patternId}`)}`}>Lines like this one</Link>
            </div>
            {entries.map(([k, v]) => (
              <Attr key={k} k={k} v={v} />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

function Attr({ k, v }: { k: string; v: unknown }) {
  return (
    <>
      <div>{clip(k, 200)}</div>
      <div className="mono">{clip(typeof v === 'string' ? v : JSON.stringify(v), 4000)}</div>
    </>
  );
}

export default function Logs({ org }: { org: string }) {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const query = params.get('query') ?? '';
  const period = params.get('statsPeriod') ?? '24h';
  const project = params.get('project') ?? '';
  const tab = params.get('tab') === 'patterns' ? 'patterns' : 'logs';
  const cursor = params.get('cursor') ?? '';
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    next.delete('cursor');
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    navigate(`/organizations/${org}/logs/?${next.toString()}`);
  };

  const projects = useQuery({ queryKey: ['projects', org], queryFn: () => get<Project[]>(`/organizations/${org}/projects/`), staleTime: 60_000 });
  const common = { query, statsPeriod: period, project: project || null };
  const histogram = useQuery({
    queryKey: ['log-histogram', org, common],
    queryFn: () => get<Bucket[]>(`/organizations/${org}/logs/histogram/${qs(common)}`),
    placeholderData: keepPreviousData,
  });
  const records = useQuery({
    queryKey: ['logs', org, common, cursor],
    queryFn: () => getPage<LogRecord>(`/organizations/${org}/logs/${qs({ ...common, cursor, limit: 100 })}`),
    placeholderData: keepPreviousData,
    enabled: tab === 'logs',
  });
  const patterns = useQuery({
    queryKey: ['log-patterns', org, common],
    queryFn: () => get<Pattern[]>(`/organizations/${org}/log-patterns/${qs({ ...common, limit: 100 })}`),
    placeholderData: keepPreviousData,
    enabled: tab === 'patterns',
  });

  // Live tail: server-sent events for new records matching the query; pausing buffers nothing.
  const [live, setLive] = useState(false);
  const [paused, setPaused] = useState(false);
  const [tail, setTail] = useState<LogRecord[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    if (!live) return;
    setTail([]);
    const es = new EventSource(`/api/0/organizations/${org}/logs/tail/${qs({ query, project: project || null })}`);
    es.addEventListener('log', (e) => {
      if (pausedRef.current) return;
      const rec = JSON.parse((e as MessageEvent).data) as LogRecord;
      setTail((t) => [rec, ...t].slice(0, 500));
    });
    return () => es.close();
  }, [live, org, query, project]);

  const totals = useMemo(() => {
    const t: Record<string, number> = {};
    for (const b of histogram.data ?? []) for (const [l, n] of Object.entries(b.counts)) t[l] = (t[l] ?? 0) + n;
    return t;
  }, [histogram.data]);
  const shown = live ? tail : (records.data?.items ?? []);

  return (
    <div>
      <div className="page-head">
        <h1>Logs</h1>
        <span className="grow" />
        <span className="muted" style={{ fontSize: 12.5 }}>
          {LEVELS.filter((l) => totals[l]).map((l) => `${compact(totals[l])} ${l}`).join(' · ') || 'No records in this period'}
        </span>
      </div>
      <div className="filters">
        <select className="input" aria-label="Project" value={project} onChange={(e) => set({ project: e.target.value })}>
          <option value="">All projects</option>
          {projects.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.slug}
            </option>
          ))}
        </select>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ query: text.trim() });
          }}
        >
          <SearchIcon />
          <input className="input" aria-label="Search logs" placeholder="Search: timeout level:error trace:… service:checkout http.status:500" value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} />
        </form>
        <select className="input" aria-label="Time range" value={period} onChange={(e) => set({ statsPeriod: e.target.value })}>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              Last {p}
            </option>
          ))}
        </select>
        <button className={`btn${live ? ' primary' : ''}`} onClick={() => (setLive((l) => !l), setPaused(false))} aria-pressed={live}>
          {live ? '● Live' : 'Live tail'}
        </button>
        {live && (
          <button className="btn" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        )}
      </div>
      <div className="panel section">
        <div className="panel-body">{histogram.data && <VolumeChart buckets={histogram.data} />}</div>
      </div>
      <nav className="tabs" aria-label="View">
        <a href="#" className={tab === 'logs' ? 'active' : ''} onClick={(e) => (e.preventDefault(), set({ tab: null }))}>
          Logs
        </a>
        <a href="#" className={tab === 'patterns' ? 'active' : ''} onClick={(e) => (e.preventDefault(), set({ tab: 'patterns' }))}>
          Patterns
        </a>
      </nav>
      {tab === 'logs' ? (
        <div className="panel stream">
          {(records.isError || histogram.isError) && <div className="empty-state error-text">{((records.error ?? histogram.error) as Error).message}</div>}
          {live && tail.length === 0 && <div className="empty-state">Waiting for new records…</div>}
          {!live && records.isSuccess && shown.length === 0 && <div className="empty-state">No records match.</div>}
          {shown.map((r) => (
            <LogRow key={r.id} r={r} org={org} />
          ))}
        </div>
      ) : (
        <div className="panel stream">
          {patterns.isSuccess && patterns.data.length === 0 && <div className="empty-state">No patterns in this period.</div>}
          {patterns.data?.map((p) => (
            <div className="pattern-row" key={p.id} role="button" onClick={() => set({ tab: null, query: `pattern:${p.id}` })}>
              <div className="grow" style={{ minWidth: 0 }}>
                <div className="mono pattern-text">{clip(p.pattern, 1000)}</div>
                <div className="issue-sub">
                  <span className="tag">{p.project.slug}</span>
                  {LEVELS.filter((l) => p.levels[l]).map((l) => (
                    <span key={l} className="row" style={{ gap: 4 }}>
                      <span className={`level level-${l === 'warn' ? 'warning' : l === 'trace' ? 'debug' : l}`} /> {compact(p.levels[l])} {l}
                    </span>
                  ))}
                  <span className="mono faint pattern-sample">e.g. {clip(p.sample, 300)}</span>
                </div>
              </div>
              <div className="col-graph">
                <Sparkline series={p.stats} />
              </div>
              <div className="num" style={{ minWidth: 60 }}>
                {compact(p.count)}
              </div>
            </div>
          ))}
        </div>
      )}
      {!live && tab === 'logs' && (
        <div className="pager">
          <button className="btn small" disabled={!records.data?.previous} onClick={() => set({ cursor: records.data!.previous! })}>
            ← Newer
          </button>
          <span>{records.isFetching ? 'Updating…' : `${shown.length} records`}</span>
          <button className="btn small" disabled={!records.data?.next} onClick={() => set({ cursor: records.data!.next! })}>
            Older →
          </button>
        </div>
      )}
    </div>
  );
}
