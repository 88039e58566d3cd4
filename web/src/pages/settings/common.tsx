// What the settings sections share: the organization's teams, cache invalidation after a change, and a form that
// shows its own busy state and the error of its submit.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { get } from '../../api.ts';

/** An organization's team, as the API lists it. */
export interface Team {
  id: string;
  slug: string;
  name: string;
}

/** The organization's teams (members and projects both show them). */
export function useTeams(org: string) {
  return useQuery({ queryKey: ['teams', org], queryFn: () => get<Team[]>(`/organizations/${org}/teams/`) });
}

export function useInvalidate() {
  const qc = useQueryClient();
  return (...keys: string[]) => keys.forEach((k) => void qc.invalidateQueries({ queryKey: [k] }));
}

export function Form({ onSubmit, children, error }: { onSubmit(): Promise<unknown>; children: ReactNode; error?: string | null }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  return (
    <form
      className="row settings-form"
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
