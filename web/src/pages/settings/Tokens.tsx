// Settings, API tokens: create one with chosen scopes (its value shown once), list and revoke them.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, send } from '../../api.ts';
import { absoluteTime } from '../../format.ts';
import { CopyButton } from '../Onboarding.tsx';
import { Form, useInvalidate } from './common.tsx';

interface Token {
  id: string;
  name: string;
  scopes: string[];
  tokenLastCharacters?: string;
  dateCreated: string;
  lastUsedAt?: string | null;
}

const SCOPES = ['org:read', 'project:read', 'project:write', 'event:read', 'event:write', 'event:admin', 'member:read', 'team:read'];

export function Tokens() {
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
