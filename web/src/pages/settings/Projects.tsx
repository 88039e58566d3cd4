// Settings, projects: create and rename projects; their keys with DSNs, rate limits, enabling and disabling.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, send, type Project, type ProjectKey } from '../../api.ts';
import { CopyButton } from '../Onboarding.tsx';
import { Form, useInvalidate, useTeams } from './common.tsx';

function KeyRow({ org, project, k }: { org: string; project: string; k: ProjectKey & { rateLimit?: { count: number; window: number } | null } }) {
  const invalidate = useInvalidate();
  const [count, setCount] = useState(String(k.rateLimit?.count ?? ''));
  const [windowSec, setWindowSec] = useState(String(k.rateLimit?.window ?? '60'));
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => send('PUT', `/projects/${org}/${project}/keys/${k.id}/`, body),
    onSuccess: () => invalidate('keys'),
  });
  return (
    <div className="key-row">
      <div className="key-main">
        <div>
          <b>{k.name}</b> {!k.isActive && <span className="tag err">disabled</span>}
        </div>
        <div className="dsn" style={{ marginTop: 6 }}>
          <code>{k.dsn.public}</code>
          <CopyButton text={k.dsn.public} />
        </div>
      </div>
      <div>
        <div className="muted" style={{ fontSize: 12, marginBottom: 4 }}>
          Rate limit
        </div>
        <div className="row" style={{ flexWrap: 'nowrap', whiteSpace: 'nowrap' }}>
          <input className="input" style={{ width: 80 }} aria-label="Events" placeholder="no limit" value={count} onChange={(e) => setCount(e.target.value)} />
          <span className="muted">per</span>
          <input className="input" style={{ width: 64 }} aria-label="Seconds" value={windowSec} onChange={(e) => setWindowSec(e.target.value)} />
          <span className="muted">s</span>
          <button className="btn small" onClick={() => save.mutate({ rateLimit: count ? { count: Number(count), window: Number(windowSec) } : null })}>
            Save
          </button>
        </div>
        {save.isError && <div className="error-text">{(save.error as Error).message}</div>}
      </div>
      <div className="key-actions">
        <button className="btn small" onClick={() => save.mutate({ isActive: !k.isActive })}>
          {k.isActive ? 'Disable' : 'Enable'}
        </button>
      </div>
    </div>
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
        {keys.data?.map((k) => (
          <KeyRow key={k.id} org={org} project={project.slug} k={k} />
        ))}
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

export function Projects({ org }: { org: string }) {
  const invalidate = useInvalidate();
  const projects = useQuery({ queryKey: ['projects', org], queryFn: () => get<Project[]>(`/organizations/${org}/projects/`) });
  const teams = useTeams(org);
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
