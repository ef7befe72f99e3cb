/** The frame of every signed-in screen: navigation, the tenant, the live connection, sign-out. */
import { Navigate, NavLink, Outlet } from 'react-router';
import { useTenantQuery } from '../api/queries';
import { useConsoleSession } from '../auth/console-session';
import { LiveEventsProvider, useLiveState } from '../live/live-events';

const NAV = [
  ['/sessions', 'Sessions'],
  ['/chats', 'Chats'],
  ['/pools', 'Pools'],
  ['/webhooks', 'Webhooks'],
  ['/keys', 'API keys'],
  ['/events', 'Live events'],
  ['/overview', 'Tenant'],
] as const;

export function SignedInLayout() {
  const { apiKey } = useConsoleSession();
  if (!apiKey) return <Navigate to="/sign-in" replace />;
  return (
    <LiveEventsProvider>
      <Shell />
    </LiveEventsProvider>
  );
}

function Shell() {
  const { signOut } = useConsoleSession();
  const live = useLiveState();
  const tenant = useTenantQuery();
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">WA console</span>
        <span className="tenant" data-testid="tenant-name">
          {tenant.data?.name ?? '…'}
        </span>
        <span
          className={`live live-${live}`}
          role="status"
          aria-label={`Live updates: ${live}`}
          data-live={live}
        >
          {live === 'open' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline'}
        </span>
        <button type="button" className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className="nav" aria-label="Console">
        {NAV.map(([to, label]) => (
          <NavLink key={to} to={to}>
            {label}
          </NavLink>
        ))}
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
