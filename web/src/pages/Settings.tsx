// Settings: projects (create, rename, keys with DSNs and rate limits), teams and members, API tokens,
// and the signed-in user's profile and password. This is the page and its navigation; each section is
// a file in settings/.
import { Link, useLocation } from 'wouter';
import { People } from './settings/People.tsx';
import { Profile } from './settings/Profile.tsx';
import { Projects } from './settings/Projects.tsx';
import { Tokens } from './settings/Tokens.tsx';

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
