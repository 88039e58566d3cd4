// First run: no event has arrived yet. Shows a project's DSN and ready snippets; the stream switches
// to the issues by itself when the first event lands (IssueStream polls).
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type Project, type ProjectKey } from '../api.ts';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn small"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard API unavailable (http): select-and-copy fallback.
          const ta = document.createElement('textarea');
          ta.value = text;
          document.body.appendChild(ta);
          ta.select();
          document.execCommand('copy');
          ta.remove();
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

export function snippets(dsn: string): Array<[string, string]> {
  const u = new URL(dsn);
  const key = decodeURIComponent(u.username);
  const projectId = u.pathname.split('/').filter(Boolean).at(-1);
  const base = `${u.protocol}//${u.host}${u.pathname.slice(0, u.pathname.lastIndexOf('/'))}`;
  return [
    [
      'curl',
      `curl -X POST '${base}/api/${projectId}/store/' \\\n  -H 'X-Sentry-Auth: Sentry sentry_key=${key}, sentry_version=7' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"message": "Hello from curl", "level": "error"}'`,
    ],
    ['@sentry/node', `import * as Sentry from '@sentry/node';\n\nSentry.init({ dsn: '${dsn}' });\n\nSentry.captureException(new Error('Hello from Node'));`],
    ['@sentry/browser', `import * as Sentry from '@sentry/browser';\n\nSentry.init({ dsn: '${dsn}' });`],
    ['Python', `import sentry_sdk\n\nsentry_sdk.init(dsn="${dsn}")\n\ndivision_by_zero = 1 / 0`],
    ['Go', `err := sentry.Init(sentry.ClientOptions{Dsn: "${dsn}"})\n// ...\nsentry.CaptureException(errors.New("hello from Go"))\nsentry.Flush(2 * time.Second)`],
    ['Ruby', `require 'sentry-ruby'\n\nSentry.init { |config| config.dsn = '${dsn}' }\n\nSentry.capture_message('Hello from Ruby')`],
    [
      'Faultline SDK',
      `import { init, captureException } from '@faultline/sdk';\n\ninit({ dsn: '${dsn}' });\n\ncaptureException(new Error('Hello from the Faultline SDK'));`,
    ],
  ];
}

export function Onboarding({ org, projects }: { org: string; projects: Project[] }) {
  const [projectSlug, setProjectSlug] = useState(projects[0]?.slug ?? '');
  const [tab, setTab] = useState(0);
  const keys = useQuery({
    queryKey: ['keys', org, projectSlug],
    queryFn: () => get<ProjectKey[]>(`/projects/${org}/${projectSlug}/keys/`),
    enabled: !!projectSlug,
  });
  const dsn = keys.data?.find((k) => k.isActive)?.dsn.public;
  const list = dsn ? snippets(dsn) : [];
  return (
    <div style={{ maxWidth: 860 }}>
      <div className="page-head">
        <h1>Send your first event</h1>
      </div>
      <p className="muted">
        No events yet. Point any Sentry SDK at this DSN, or use one of the snippets. This page switches to your issues as soon as the first event arrives.
      </p>
      <div className="panel section">
        <div className="panel-body">
          <div className="row" style={{ marginBottom: 10 }}>
            <label className="field" style={{ flexDirection: 'row', alignItems: 'center', gap: 8 }}>
              Project
              <select className="input" value={projectSlug} onChange={(e) => setProjectSlug(e.target.value)}>
                {projects.map((p) => (
                  <option key={p.id} value={p.slug}>
                    {p.slug}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <h3>DSN</h3>
          <div className="dsn">
            <code data-testid="dsn">{dsn ?? '…'}</code>
            {dsn && <CopyButton text={dsn} />}
          </div>
        </div>
      </div>
      {dsn && (
        <div className="panel snippet">
          <nav className="tabs" style={{ padding: '0 8px' }}>
            {list.map(([name], i) => (
              <a key={name} href="#" className={i === tab ? 'active' : ''} onClick={(e) => (e.preventDefault(), setTab(i))}>
                {name}
              </a>
            ))}
          </nav>
          <div className="panel-body">
            <div className="row" style={{ justifyContent: 'flex-end', marginBottom: 8 }}>
              <CopyButton text={list[tab][1]} label="Copy snippet" />
            </div>
            <pre>{list[tab][1]}</pre>
          </div>
        </div>
      )}
      <p className="muted" style={{ marginTop: 16 }}>
        Waiting for events…
      </p>
    </div>
  );
}
