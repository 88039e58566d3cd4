import { useEffect, useState, type ComponentType } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { Layout } from './components/Layout.tsx';
import { IssueStream } from './pages/IssueStream.tsx';
import { Login } from './pages/Login.tsx';
import { useSession } from './session.tsx';

/**
 * A page in its own chunk, loaded on first use. Not React.lazy + Suspense: React holds a boundary's
 * content back until 300 ms after its fallback appeared, which made every first load of an issue
 * (and the first click into one) 300 ms slower than its chunk and data. Here a loaded page renders
 * at once, and `preload` fetches the chunk ahead of time.
 */
function page<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  const preload = () =>
    (pending ??= load().then(
      (m) => void (loaded = m.default),
      (err: unknown) => {
        pending = null;
        throw err;
      },
    ));
  function Page(props: P) {
    const [failed, setFailed] = useState(false);
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) preload().then(() => setReady(true), () => setFailed(true));
    }, []);
    if (loaded) {
      const Loaded = loaded;
      return <Loaded {...props} />;
    }
    if (failed) return <div className="empty-state error-text">This page could not be loaded. Reload to try again.</div>;
    return <div className="muted">Loading…</div>;
  }
  return Object.assign(Page, { preload });
}

const IssueDetail = page(() => import('./pages/IssueDetail.tsx'));
const Settings = page(() => import('./pages/Settings.tsx'));
const Logs = page(() => import('./pages/Logs.tsx'));

// The page in the URL loads alongside the session; an issue, the most likely next page, once the first
// load is over (not during it: its compile would compete with the stream's render).
{
  const path = window.location.pathname;
  const now = /^\/organizations\/[^/]+\/issues\/[^/]+/.test(path) ? IssueDetail : /^\/organizations\/[^/]+\/logs/.test(path) ? Logs : path.startsWith('/settings/') ? Settings : null;
  if (now) void now.preload().catch(() => undefined);
  const later = () => void IssueDetail.preload().catch(() => undefined);
  setTimeout(() => ('requestIdleCallback' in window ? requestIdleCallback(later, { timeout: 3000 }) : later()), 2000);
}

export function App() {
  const { session, loading } = useSession();
  const [location] = useLocation();
  if (loading) return <div className="center muted">Loading…</div>;
  if (!session) {
    if (location !== '/login') return <Redirect to={`/login?next=${encodeURIComponent(location + window.location.search)}`} replace />;
    return <Login />;
  }
  const org = session.organizations[0]?.slug;
  if (!org) return <div className="center">You are not a member of any organization yet. Ask an owner to add you.</div>;
  return (
    <Layout>
      <Switch>
        <Route path="/login">
          <Redirect to={`/organizations/${org}/issues/`} replace />
        </Route>
        <Route path="/organizations/:org/issues/:id/events/:eventId">{(p) => <IssueDetail org={p.org} issueId={p.id} eventId={p.eventId} />}</Route>
        <Route path="/organizations/:org/issues/:id">{(p) => <IssueDetail org={p.org} issueId={p.id} />}</Route>
        <Route path="/organizations/:org/issues">{(p) => <IssueStream org={p.org} />}</Route>
        <Route path="/organizations/:org/logs">{(p) => <Logs org={p.org} />}</Route>
        <Route path="/settings/:org/*?">{(p) => <Settings org={p.org} />}</Route>
        <Route>
          <Redirect to={`/organizations/${org}/issues/`} replace />
        </Route>
      </Switch>
    </Layout>
  );
}
