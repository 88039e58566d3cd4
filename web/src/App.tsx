import { lazy, Suspense } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { Layout } from './components/Layout.tsx';
import { IssueStream } from './pages/IssueStream.tsx';
import { Login } from './pages/Login.tsx';
import { useSession } from './session.tsx';

const IssueDetail = lazy(() => import('./pages/IssueDetail.tsx'));
const Settings = lazy(() => import('./pages/Settings.tsx'));
const Logs = lazy(() => import('./pages/Logs.tsx'));

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
      <Suspense fallback={<div className="muted">Loading…</div>}>
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
      </Suspense>
    </Layout>
  );
}
