// The signed-in user: loaded once from /api/0/auth/session; its CSRF token goes with every change.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, send, setCsrfToken, type SessionInfo } from './api.ts';

interface SessionState {
  session: SessionInfo | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  reload(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    try {
      const s = await get<SessionInfo>('/auth/session');
      setCsrfToken(s.csrfToken);
      setSession(s);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.error(err);
      setCsrfToken(null);
      setSession(null);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await send('POST', '/auth/login', { email, password });
      await reload();
    },
    [reload],
  );

  const signOut = useCallback(async () => {
    try {
      await send('POST', '/auth/logout');
    } finally {
      setCsrfToken(null);
      setSession(null);
    }
  }, []);

  return <SessionContext.Provider value={{ session, loading, signIn, signOut, reload }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
