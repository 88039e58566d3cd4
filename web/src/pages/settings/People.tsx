// Settings, members and teams: add members, change their roles or remove them; create teams.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, send } from '../../api.ts';
import { Form, useInvalidate, useTeams } from './common.tsx';

interface Member {
  id: string;
  email: string;
  name?: string;
  role: string;
  teams?: string[];
  user?: { id: string; email: string; name: string };
}

export function People({ org }: { org: string }) {
  const invalidate = useInvalidate();
  const members = useQuery({ queryKey: ['members', org], queryFn: () => get<Member[]>(`/organizations/${org}/members/`) });
  const teams = useTeams(org);
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
