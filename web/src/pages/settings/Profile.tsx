// Settings, profile: the signed-in user's email and organizations, and a password change.
import { useState } from 'react';
import { send } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Form } from './common.tsx';

export function Profile() {
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
