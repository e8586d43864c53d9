/** The signed-in frame: workspace and role, log out, the main navigation, and the current page. */
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { isApiError } from '../api/problem';
import { useLogout, useMe } from '../auth/session';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { ErrorState, Loading } from '../ui/States';
import { NotificationsBell } from './NotificationsBell';
import { Toasts } from '../ui/Toasts';
import { GlobalSearch } from './GlobalSearch';

export const MAIN_NAV = [
  { to: '/today', label: 'Today' },
  { to: '/pipeline', label: 'Pipeline' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/reports', label: 'Reports' },
  { to: '/import', label: 'Import' },
  { to: '/settings', label: 'Settings' },
] as const;

export function AppShell() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();

  if (me.isPending) return <Loading label="Opening your workspace…" />;
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    }
    return (
      <main className="page">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand" aria-hidden="true">
          Rapport
        </div>
        <div className="workspace">
          <span className="workspace-name">{me.data.workspace.name}</span>
          <span className="role-badge" title="Your role in this workspace">
            {me.data.role}
          </span>
        </div>
        <NotificationsBell />
        <GlobalSearch />
        <div className="user">
          <span className="user-name">{me.data.user.name}</span>
          <button
            type="button"
            className="button button-quiet"
            disabled={logout.isPending}
            onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
          >
            Log out
          </button>
        </div>
      </header>
      <nav aria-label="Main" className="main-nav">
        <ul>
          {MAIN_NAV.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="app-main" tabIndex={-1}>
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
      <Toasts />
    </div>
  );
}
