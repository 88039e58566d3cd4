// Small inline icons (no icon font, nothing remote).
export const Logo = () => (
  <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
    <path d="M2 13 7 3l2 6 2-3 3 7z" fill="var(--error)" />
  </svg>
);
export const SearchIcon = () => (
  <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.6">
    <circle cx="7" cy="7" r="5" />
    <path d="m11 11 3.5 3.5" />
  </svg>
);
export const IssuesIcon = () => (
  <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
    <path d="M8 1.5 14.5 13h-13z" />
    <path d="M8 6v3.5M8 11.3v.2" />
  </svg>
);
export const SettingsIcon = () => (
  <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
    <circle cx="8" cy="8" r="2.3" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </svg>
);
export const LogsIcon = () => (
  <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
    <path d="M2.5 3.5h11M2.5 6.5h8M2.5 9.5h11M2.5 12.5h6" />
  </svg>
);
