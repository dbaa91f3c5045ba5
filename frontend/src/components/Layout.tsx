import { Link, NavLink, Outlet } from 'react-router';
import { Suspense } from 'react';
import { SECOND_FACTOR_PATH, useSession, type Role } from '../auth/session';
import { roleLabel } from '../lib/labels';
import { NotificationsBell } from '../notifications/Bell';
import { T } from '../notifications/text';
import { Loading } from './feedback';

interface NavItem {
  to: string;
  label: string;
  roles: Role[];
  end?: boolean;
}

const NAV: NavItem[] = [
  { to: '/complaints', label: 'Complaints', roles: ['ombudsperson', 'staff_resource'], end: true },
  { to: '/complaints/new', label: 'New complaint', roles: ['ombudsperson'] },
  { to: '/consultations', label: 'Consultations', roles: ['ombudsperson'] },
  { to: '/status', label: 'Status board', roles: ['table_officer'] },
  { to: '/admin/users', label: 'Users', roles: ['administrator'] },
  { to: '/admin/units', label: 'Units', roles: ['administrator'] },
  { to: '/admin/roster', label: 'Roster', roles: ['administrator'] },
  { to: '/admin/members', label: 'Members', roles: ['administrator'] },
  { to: '/admin/integrations', label: 'Integrations', roles: ['administrator'] },
  { to: '/admin/audit', label: 'Audit log', roles: ['administrator'] },
  { to: '/admin/disclosures', label: 'Disclosures', roles: ['administrator'] },
  { to: '/admin/retention', label: 'Retention', roles: ['administrator'] },
  { to: '/admin/failed-deliveries', label: T.failedTitle, roles: ['administrator'] },
  { to: '/policy-review', label: 'Policy review', roles: ['table_officer', 'administrator'] },
  { to: '/statistics', label: 'Statistics', roles: ['table_officer', 'administrator'] },
  { to: '/calendar', label: 'Calendar', roles: ['ombudsperson', 'staff_resource', 'table_officer', 'administrator'] },
];

export function Layout() {
  const { me, signOut, hasRole } = useSession();
  const items = NAV.filter((n) => hasRole(...n.roles));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="brand">
          <span className="brand-name">Ombuds</span>
          <span className="brand-sub">CUPE Local 500 · confidential</span>
        </div>
        {me ? (
          <div className="account">
            <span>
              {me.display_name} <span className="muted">({me.roles.map(roleLabel).join(', ')})</span>
            </span>
            <NotificationsBell signedIn={!me.second_factor_pending} />
            <Link className="account-link" to={SECOND_FACTOR_PATH}>
              Second factor{me.second_factor_enabled ? '' : ' (not set up)'}
            </Link>
            <button type="button" className="secondary" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      {me && items.length ? (
        <nav aria-label="Main" className="site-nav">
          <ul>
            {items.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to} end={n.end ?? false}>
                  {n.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the screen" />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>Confidential (Policy 5.1). Dates are Winnipeg dates. Every read of a complaint is recorded.</p>
      </footer>
    </>
  );
}
