// Settings: projects (create, rename, keys with DSNs and rate limits), teams and members, API tokens,
// and the signed-in user's profile and password.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { get, send, type Project, type ProjectKey } from '../api.ts';
import { absoluteTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { CopyButton } from './Onboarding.tsx';

interface Team {
  id: string;
  slug: string;
  name: string;
}
interface Member {
  id: string;
  email: string;
  name?: string;
  role: string;
  teams?: string[];
  user?: { id: string; email: string; name: string };
}
interface Token {
  id: string;
  name: string;
  scopes: string[];
  tokenLastCharacters?: string;
  dateCreated: string;
  lastUsedAt?: string | null;
}

function useInvalidate() {
  const qc = useQueryClient();
  return (...keys: string[]) => keys.forEach((k) => void qc.invalidateQueries({ queryKey: [k] }));
}

function Form({ onSubmit, children, error }: { onSubmit(): Promise<unknown>; children: ReactNode; error?: string | null }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  return (
    <form
      className="row"
      style={{ alignItems: 'flex-end', marginBottom: 14 }}
      onSubmit={async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setErr(null);
        try {
          await onSubmit();
        } catch (x) {
          setErr((x as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset disabled={busy} style={{ border: 0, padding: 0, margin: 0, display: 'contents' }}>
        {children}
      </fieldset>
      {(err ?? error) && (
        <div className="error-text" role="alert" style={{ flexBasis: '100%' }}>
          {err ?? error}
        </div>
      )}
    </form>
  );
}

function KeyRow({ org, project, k }: { org: string; project: string; k: ProjectKey & { rateLimit?: { count: number; window: number } | null } }) {
  const invalidate = useInvalidate();
  const [count, setCount] = useState(String(k.rateLimit?.count ?? ''));
  const [windowSec, setWindowSec] = useState(String(k.rateLimit?.window ?? '60'));
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => send('PUT', `/projects/${org}/${project}/keys/${k.id}/`, body),
    onSuccess: () => invalidate('keys'),
  });
  return (
    <tr>
      <td>
        <div>
          <b>{k.name}</b> {!k.isActive && <span className="tag err">disabled</span>}
        </div>
        <div className="dsn" style={{ marginTop: 6 }}>
          <code>{k.dsn.public}</code>
          <CopyButton text={k.dsn.public} />
        </div>
      </td>
      <td style={{ width: 330 }}>
        <div className="muted" style={{ fontSize: 12, marginBottom: 4 }}>
          Rate limit
        </div>
        <div className="row" style={{ flexWrap: 'nowrap' }}>
          <input className="input" style={{ width: 80 }} aria-label="Events" placeholder="no limit" value={count} onChange={(e) => setCount(e.target.value)} />
          <span className="muted">per</span>
          <input className="input" style={{ width: 64 }} aria-label="Seconds" value={windowSec} onChange={(e) => setWindowSec(e.target.value)} />
          <span className="muted">s</span>
          <button className="btn small" onClick={() => save.mutate({ rateLimit: count ? { count: Number(count), window: Number(windowSec) } : null })}>
            Save
          </button>
        </div>
        {save.isError && <div className="error-text">{(save.error as Error).message}</div>}
      </td>
      <td style={{ width: 110 }}>
        <button className="btn small" onClick={() => save.mutate({ isActive: !k.isActive })}>
          {k.isActive ? 'Disable' : 'Enable'}
        </button>
      </td>
    </tr>
  );
}

function ProjectSettings({ org, project }: { org: string; project: Project }) {
  const invalidate = useInvalidate();
  const [name, setName] = useState(project.name);
  const keys = useQuery({ queryKey: ['keys', org, project.slug], queryFn: () => get<ProjectKey[]>(`/projects/${org}/${project.slug}/keys/`) });
  return (
    <div className="panel section">
      <div className="panel-head">
        <h2 style={{ margin: 0 }}>{project.slug}</h2>
        <span className="muted">{project.platform ?? ''}</span>
      </div>
      <div className="panel-body">
        <Form
          onSubmit={async () => {
            await send('PUT', `/projects/${org}/${project.slug}/`, { name });
            invalidate('projects');
          }}
        >
          <label className="field grow">
            Name
            <input className="input" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button className="btn" type="submit">
            Rename
          </button>
        </Form>
        <h3>Client keys (DSN)</h3>
        <table className="list">
          <tbody>
            {keys.data?.map((k) => (
              <KeyRow key={k.id} org={org} project={project.slug} k={k} />
            ))}
          </tbody>
        </table>
        <button
          className="btn small"
          style={{ marginTop: 10 }}
          onClick={async () => {
            await send('POST', `/projects/${org}/${project.slug}/keys/`, { name: 'New key' });
            invalidate('keys');
          }}
        >
          Add a key
        </button>
      </div>
    </div>
  );
}

function Projects({ org }: { org: string }) {
  const invalidate = useInvalidate();
  const projects = useQuery({ queryKey: ['projects', org], queryFn: () => get<Project[]>(`/organizations/${org}/projects/`) });
  const teams = useQuery({ queryKey: ['teams', org], queryFn: () => get<Team[]>(`/organizations/${org}/teams/`) });
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const [platform, setPlatform] = useState('');
  return (
    <div>
      <h2>Projects</h2>
      <div className="panel section">
        <div className="panel-body">
          <Form
            onSubmit={async () => {
              await send('POST', `/teams/${org}/${team || teams.data?.[0]?.slug}/projects/`, { name, platform: platform || null });
              setName('');
              invalidate('projects');
            }}
          >
            <label className="field grow">
              New project (one per service)
              <input className="input" required placeholder="billing-api" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="field">
              Team
              <select className="input" value={team} onChange={(e) => setTeam(e.target.value)}>
                {teams.data?.map((t) => (
                  <option key={t.id} value={t.slug}>
                    {t.slug}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              Platform
              <select className="input" value={platform} onChange={(e) => setPlatform(e.target.value)}>
                <option value="">other</option>
                {['node', 'javascript', 'python', 'go', 'ruby', 'java', 'php', 'csharp'].map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
            <button className="btn primary" type="submit">
              Create project
            </button>
          </Form>
        </div>
      </div>
      {projects.data?.map((p) => (
        <ProjectSettings key={p.id} org={org} project={p} />
      ))}
    </div>
  );
}

function People({ org }: { org: string }) {
  const invalidate = useInvalidate();
  const members = useQuery({ queryKey: ['members', org], queryFn: () => get<Member[]>(`/organizations/${org}/members/`) });
  const teams = useQuery({ queryKey: ['teams', org], queryFn: () => get<Team[]>(`/organizations/${org}/teams/`) });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('member');
  const [teamName, setTeamName] = useState('');
  return (
    <div>
      <h2>Members</h2>
      <div className="panel section">
        <div className="panel-body">
          <Form
            onSubmit={async () => {
              await send('POST', `/organizations/${org}/members/`, { email, role, password: password || undefined });
              setEmail('');
              setPassword('');
              invalidate('members');
            }}
          >
            <label className="field grow">
              Email
              <input className="input" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label className="field">
              Initial password
              <input className="input" type="password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <label className="field">
              Role
              <select className="input" value={role} onChange={(e) => setRole(e.target.value)}>
                <option>member</option>
                <option>admin</option>
                <option>owner</option>
              </select>
            </label>
            <button className="btn primary" type="submit">
              Add member
            </button>
          </Form>
          <table className="list">
            <thead>
              <tr>
                <th>Member</th>
                <th>Role</th>
                <th>Teams</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {members.data?.map((m) => (
                <tr key={m.id}>
                  <td>{m.user?.email ?? m.email}</td>
                  <td>
                    <select
                      className="input"
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={async (e) => {
                        await send('PUT', `/organizations/${org}/members/${m.id}/`, { role: e.target.value }).catch((x) => alert((x as Error).message));
                        invalidate('members');
                      }}
                    >
                      <option>member</option>
                      <option>admin</option>
                      <option>owner</option>
                    </select>
                  </td>
                  <td>{(m.teams ?? []).join(', ')}</td>
                  <td>
                    <button
                      className="btn small danger"
                      onClick={async () => {
                        if (!window.confirm(`Remove ${m.email}?`)) return;
                        await send('DELETE', `/organizations/${org}/members/${m.id}/`).catch((x) => alert((x as Error).message));
                        invalidate('members');
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h2>Teams</h2>
      <div className="panel section">
        <div className="panel-body">
          <Form
            onSubmit={async () => {
              await send('POST', `/organizations/${org}/teams/`, { name: teamName });
              setTeamName('');
              invalidate('teams');
            }}
          >
            <label className="field grow">
              New team
              <input className="input" required value={teamName} onChange={(e) => setTeamName(e.target.value)} />
            </label>
            <button className="btn" type="submit">
              Create team
            </button>
          </Form>
          <div className="row">
            {teams.data?.map((t) => (
              <span key={t.id} className="tag accent">
                #{t.slug}
              </span>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}

const SCOPES = ['org:read', 'project:read', 'project:write', 'event:read', 'event:write', 'event:admin', 'member:read', 'team:read'];

function Tokens() {
  const invalidate = useInvalidate();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => get<Token[]>('/api-tokens/') });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['org:read', 'project:read', 'event:read']);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <div>
      <h2>API tokens</h2>
      <div className="panel section">
        <div className="panel-body">
          <Form
            onSubmit={async () => {
              const t = await send<{ token: string }>('POST', '/api-tokens/', { name, scopes });
              setCreated(t.token);
              setName('');
              invalidate('tokens');
            }}
          >
            <label className="field grow">
              Name
              <input className="input" required value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <div className="row" style={{ flexBasis: '100%' }}>
              {SCOPES.map((s) => (
                <label key={s} className="tag" style={{ cursor: 'pointer' }}>
                  <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes((x) => (e.target.checked ? [...x, s] : x.filter((y) => y !== s)))} /> {s}
                </label>
              ))}
            </div>
            <button className="btn primary" type="submit">
              Create token
            </button>
          </Form>
          {created && (
            <div className="panel" style={{ padding: 12, marginBottom: 12 }}>
              <div style={{ marginBottom: 6 }}>Your new token. It is shown once: copy it now.</div>
              <div className="dsn">
                <code data-testid="new-token">{created}</code>
                <CopyButton text={created} />
              </div>
            </div>
          )}
          <table className="list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scopes</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.data?.map((t) => (
                <tr key={t.id}>
                  <td>
                    {t.name} <span className="faint mono">…{t.tokenLastCharacters}</span>
                  </td>
                  <td>{t.scopes.join(' ')}</td>
                  <td>{absoluteTime(t.dateCreated)}</td>
                  <td>
                    <button
                      className="btn small danger"
                      onClick={async () => {
                        await send('DELETE', `/api-tokens/${t.id}/`);
                        invalidate('tokens');
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

function Profile() {
  const { session } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  return (
    <div>
      <h2>Profile</h2>
      <div className="panel section">
        <div className="panel-body">
          <div className="kv" style={{ marginBottom: 16 }}>
            <div>Email</div>
            <div>{session!.user.email}</div>
            <div>Organizations</div>
            <div>{session!.organizations.map((o) => `${o.name} (${o.role})`).join(', ')}</div>
          </div>
          <Form
            onSubmit={async () => {
              await send('PUT', '/users/me/password/', { current, new: next });
              setCurrent('');
              setNext('');
              setDone(true);
            }}
          >
            <label className="field">
              Current password
              <input className="input" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
            </label>
            <label className="field">
              New password
              <input className="input" type="password" autoComplete="new-password" minLength={8} required value={next} onChange={(e) => setNext(e.target.value)} />
            </label>
            <button className="btn" type="submit">
              Change password
            </button>
          </Form>
          {done && <div className="tag ok">Password changed.</div>}
        </div>
      </div>
    </div>
  );
}

export default function Settings({ org }: { org: string }) {
  const [location] = useLocation();
  const section = location.split('/')[3] || 'projects';
  const nav = [
    ['projects', 'Projects'],
    ['people', 'Members & teams'],
    ['tokens', 'API tokens'],
    ['profile', 'Profile'],
  ];
  return (
    <div>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <div className="settings-grid">
        <nav>
          {nav.map(([id, label]) => (
            <Link key={id} href={`/settings/${org}/${id}`} className={section === id ? 'active' : ''}>
              {label}
            </Link>
          ))}
        </nav>
        <div>
          {section === 'projects' && <Projects org={org} />}
          {section === 'people' && <People org={org} />}
          {section === 'tokens' && <Tokens />}
          {section === 'profile' && <Profile />}
        </div>
      </div>
    </div>
  );
}
