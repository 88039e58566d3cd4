// Resolve / ignore (with its conditions) / assign / merge, for one issue or a selection.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { get } from '../api.ts';
import { useSession } from '../session.tsx';

export interface IssueUpdate {
  status?: 'resolved' | 'unresolved' | 'ignored' | 'resolvedInNextRelease';
  statusDetails?: Record<string, unknown>;
  assignedTo?: string | null;
  merge?: 1;
}

function Menu({ label, children, disabled }: { label: ReactNode; children: (close: () => void) => ReactNode; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onEsc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDoc);
    document.addEventListener('keydown', onEsc);
    return () => {
      document.removeEventListener('mousedown', onDoc);
      document.removeEventListener('keydown', onEsc);
    };
  }, [open]);
  return (
    <div className="rel" ref={ref} onClick={(e) => e.stopPropagation()}>
      <button type="button" className="btn small" aria-haspopup="menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen((o) => !o)}>
        {label} ▾
      </button>
      {open && (
        <div className="menu" role="menu" style={{ top: 'calc(100% + 4px)', left: 0 }}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

const IGNORE_OPTIONS: Array<[string, Record<string, unknown>]> = [
  ['Forever', {}],
  ['For 30 minutes', { ignoreDuration: 30 }],
  ['For 2 hours', { ignoreDuration: 120 }],
  ['For 24 hours', { ignoreDuration: 1440 }],
  ['For a week', { ignoreDuration: 10080 }],
  ['Until 10 more events', { ignoreCount: 10 }],
  ['Until 100 more events', { ignoreCount: 100 }],
  ['Until 100 events in an hour', { ignoreCount: 100, ignoreWindow: 60 }],
  ['Until 10 more users', { ignoreUserCount: 10 }],
  ['Until 100 more users', { ignoreUserCount: 100 }],
];

export function IssueActions(props: {
  org: string;
  count: number;
  busy?: boolean;
  status?: 'unresolved' | 'resolved' | 'ignored';
  onUpdate(body: IssueUpdate): void;
  allowMerge?: boolean;
}) {
  const { session } = useSession();
  const members = useQuery({
    queryKey: ['members', props.org],
    queryFn: () => get<Array<{ id: string; email: string; name?: string; user?: { id: string; email: string; name: string } }>>(`/organizations/${props.org}/members/`),
    staleTime: 60_000,
  });
  const teams = useQuery({ queryKey: ['teams', props.org], queryFn: () => get<Array<{ id: string; slug: string; name: string }>>(`/organizations/${props.org}/teams/`), staleTime: 60_000 });
  const { onUpdate, busy } = props;
  const resolved = props.status === 'resolved';
  const ignored = props.status === 'ignored';
  return (
    <div className="row" style={{ gap: 6 }}>
      {resolved || ignored ? (
        <button type="button" className="btn small" disabled={busy} onClick={(e) => (e.stopPropagation(), onUpdate({ status: 'unresolved' }))}>
          {resolved ? 'Unresolve' : 'Stop ignoring'}
        </button>
      ) : (
        <div className="btn-group">
          <button type="button" className="btn small" disabled={busy} onClick={(e) => (e.stopPropagation(), onUpdate({ status: 'resolved' }))}>
            Resolve
          </button>
          <Menu label="" disabled={busy}>
            {(close) => (
              <>
                <div className="label">Resolve</div>
                <button onClick={() => (close(), onUpdate({ status: 'resolved' }))}>Now</button>
                <button onClick={() => (close(), onUpdate({ status: 'resolvedInNextRelease' }))}>In the next release</button>
              </>
            )}
          </Menu>
        </div>
      )}
      {!ignored && !resolved && (
        <Menu label="Ignore" disabled={busy}>
          {(close) =>
            IGNORE_OPTIONS.map(([label, details]) => (
              <button key={label} onClick={() => (close(), onUpdate({ status: 'ignored', statusDetails: details }))}>
                {label}
              </button>
            ))
          }
        </Menu>
      )}
      <Menu label="Assign" disabled={busy}>
        {(close) => (
          <>
            <button onClick={() => (close(), onUpdate({ assignedTo: `user:${session!.user.id}` }))}>Me</button>
            <button onClick={() => (close(), onUpdate({ assignedTo: null }))}>Nobody</button>
            {(teams.data?.length ?? 0) > 0 && <div className="label">Teams</div>}
            {teams.data?.map((t) => (
              <button key={t.id} onClick={() => (close(), onUpdate({ assignedTo: `team:${t.id}` }))}>
                #{t.slug}
              </button>
            ))}
            {(members.data?.length ?? 0) > 0 && <div className="label">Members</div>}
            {members.data?.map((m) => {
              const user = m.user ?? { id: m.id, email: m.email, name: m.name ?? m.email };
              return (
                <button key={user.id} onClick={() => (close(), onUpdate({ assignedTo: `user:${user.id}` }))}>
                  {user.name || user.email}
                </button>
              );
            })}
          </>
        )}
      </Menu>
      {props.allowMerge && (
        <button type="button" className="btn small" disabled={busy || props.count < 2} onClick={(e) => (e.stopPropagation(), onUpdate({ merge: 1 }))} title="Merge the selected issues into one">
          Merge
        </button>
      )}
    </div>
  );
}
