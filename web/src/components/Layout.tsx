import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../session.tsx';
import { IssuesIcon, Logo, LogsIcon, SettingsIcon } from './Icons.tsx';

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const [location] = useLocation();
  const org = session!.organizations[0].slug;
  const links = [
    { href: `/organizations/${org}/issues/`, label: 'Issues', icon: <IssuesIcon />, active: location.startsWith(`/organizations/${org}/issues`) },
    { href: `/organizations/${org}/logs/`, label: 'Logs', icon: <LogsIcon />, active: location.startsWith(`/organizations/${org}/logs`) },
    { href: `/settings/${org}/projects`, label: 'Settings', icon: <SettingsIcon />, active: location.startsWith('/settings/') },
  ];
  return (
    <div className="shell">
      <aside className="sidebar">
        <Link href={links[0].href} className="brand">
          <Logo /> Faultline
        </Link>
        <div className="muted" style={{ padding: '0 10px 8px', fontSize: 12.5 }}>
          {session!.organizations[0].name}
        </div>
        <nav className="nav">
          {links.map((l) => (
            <Link key={l.href} href={l.href} className={l.active ? 'active' : ''}>
              {l.icon} {l.label}
            </Link>
          ))}
        </nav>
        <div className="spacer" />
        <div className="who">
          <div>{session!.user.email}</div>
          <button className="btn small" style={{ marginTop: 8 }} onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <div>
        <header className="topbar">
          <Link href={links[0].href} className="brand">
            <Logo /> Faultline
          </Link>
          <nav>
            {links.map((l) => (
              <Link key={l.href} href={l.href} className={l.active ? 'active' : ''}>
                {l.label}
              </Link>
            ))}
          </nav>
        </header>
        <main className="main">{children}</main>
      </div>
    </div>
  );
}
