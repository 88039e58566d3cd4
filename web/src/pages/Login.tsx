import { useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { Logo } from '../components/Icons.tsx';
import { useSession } from '../session.tsx';

export function Login() {
  const { signIn } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      const next = new URLSearchParams(search).get('next');
      // Only paths of this app, never another origin.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      setError((err as Error).message || 'Sign-in failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="center">
      <div className="login panel">
        <div className="panel-body">
          <div className="brand" style={{ padding: '0 0 16px' }}>
            <Logo /> Faultline
          </div>
          <form onSubmit={submit}>
            <label className="field">
              Email
              <input className="input" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label className="field">
              Password
              <input className="input" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            {error && (
              <div className="error-text" role="alert">
                {error}
              </div>
            )}
            <button className="btn primary" type="submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
          <p className="muted" style={{ fontSize: 12.5, marginBottom: 0 }}>
            The first start of the server printed the admin's email and password.
          </p>
        </div>
      </div>
    </div>
  );
}
