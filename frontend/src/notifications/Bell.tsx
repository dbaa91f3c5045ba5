// The header's link to the notifications, with the unread count: read again every minute
// and on every change of screen while signed in; never once signed out.
import { useEffect } from 'react';
import { NavLink, useLocation } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { notificationKeys, useUnreadCount } from './api';
import { T } from './text';

export function NotificationsBell({ signedIn }: { signedIn: boolean }) {
  const unread = useUnreadCount(signedIn);
  const qc = useQueryClient();
  const { pathname } = useLocation();
  useEffect(() => {
    if (signedIn) void qc.invalidateQueries({ queryKey: notificationKeys.unread });
  }, [pathname, signedIn, qc]);
  if (!signedIn) return null;
  const count = unread.data?.unread ?? 0;
  return (
    <NavLink className="account-link notifications-link" to="/notifications">
      {T.bell}
      {count > 0 ? <span className="badge">{T.bellUnread(count)}</span> : null}
    </NavLink>
  );
}
