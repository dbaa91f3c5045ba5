import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { SECOND_FACTOR_PATH, homeFor, useSession, type Role } from './session';
import { PageHeading } from '../components/feedback';

export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, signedOut } = useSession();
  const location = useLocation();
  if (!me && signedOut) return <Navigate to="/sign-in" replace />;
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  // Required but not set up: the server lets this session do nothing else until it is.
  if (me.second_factor_pending && location.pathname !== SECOND_FACTOR_PATH) {
    return <Navigate to={SECOND_FACTOR_PATH} replace />;
  }
  return <>{children}</>;
}

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { hasRole } = useSession();
  if (!hasRole(...roles)) {
    return (
      <>
        <PageHeading title="Not available">Not available for your role</PageHeading>
        <p>This screen is for another role. Use the menu to reach your own screens.</p>
      </>
    );
  }
  return <>{children}</>;
}

export function Home() {
  const { me } = useSession();
  return <Navigate to={me ? homeFor(me) : '/sign-in'} replace />;
}
