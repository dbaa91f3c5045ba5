// A person's notifications (any role): what needs them, its date, and the case reference
// only while they may see the complaint; a message that could not be delivered says so and
// what to do. Their choices below.
import { useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../auth/session';
import { Empty, Loading, Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDate, formatDateTime } from '../lib/dates';
import { useMarkAllRead, useMarkRead, useNotifications, type Notification } from './api';
import { PreferencesSection } from './PreferencesSection';
import { deliveryLabel, kindLabel, T } from './text';

/** Where the complaint is read: a case worker's complaint page, a table officer's status. */
function useCaseLink(): (complaintId: string) => string | null {
  const { hasRole } = useSession();
  if (hasRole('ombudsperson', 'staff_resource')) return (id) => `/complaints/${id}`;
  if (hasRole('table_officer')) return (id) => `/status/${id}`;
  return () => null;
}

function CaseCell({ n }: { n: Notification }) {
  const linkTo = useCaseLink();
  const to = n.complaint_id ? linkTo(n.complaint_id) : null;
  if (!n.reference) return <>{T.noCase}</>;
  return to ? <Link to={to}>{n.reference}</Link> : <>{n.reference}</>;
}

function Row({ n }: { n: Notification }) {
  const mark = useMarkRead();
  const what = kindLabel(n.kind);
  return (
    <tr className={n.read_at ? undefined : 'unread'}>
      <th scope="row">
        {n.read_at ? null : <span className="badge badge-late">{T.unreadMark}</span>} {what}
      </th>
      <td>{n.due_on ? formatDate(n.due_on) : T.noCase}</td>
      <td>
        <CaseCell n={n} />
      </td>
      <td>{formatDateTime(n.created_at)}</td>
      <td className={n.delivery === 'failed' ? 'delivery-failed' : undefined}>
        {n.delivery === 'failed' ? <strong>{T.failedCell}</strong> : deliveryLabel(n.delivery)}
      </td>
      <td>
        {n.read_at ? (
          T.readOn(formatDateTime(n.read_at))
        ) : (
          <button type="button" className="secondary" aria-label={T.markReadOf(what)} disabled={mark.isPending} onClick={() => mark.mutate(n.id)}>
            {T.markRead}
          </button>
        )}
        <ProblemAlert error={mark.error} />
      </td>
    </tr>
  );
}

function ListSection() {
  const list = useNotifications();
  const markAll = useMarkAllRead();
  const [marked, setMarked] = useState<number | null>(null);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = items.filter((n) => !n.read_at).length;
  const failed = items.some((n) => n.delivery === 'failed');
  return (
    <section className="panel" aria-labelledby="notifications-list">
      <h2 id="notifications-list">{T.listHeading}</h2>
      <ProblemAlert error={list.error ?? markAll.error} />
      {failed ? <Notice tone="warning">{T.failedHelp}</Notice> : null}
      {marked !== null ? <Notice tone="success">{T.allMarked(marked)}</Notice> : null}
      {list.isPending ? <Loading what={T.loadingList} /> : null}
      {list.data && !items.length ? <Empty>{T.empty}</Empty> : null}
      {items.length ? (
        <>
          <p>
            <button
              type="button"
              disabled={!unread || markAll.isPending}
              onClick={() => markAll.mutate(undefined, { onSuccess: (r) => setMarked(r.marked) })}
            >
              {T.markAllRead}
            </button>
          </p>
          <div className="table-wrap">
            <table>
              <caption>{T.caption(items.length, unread)}</caption>
              <thead>
                <tr>
                  <th scope="col">{T.colWhat}</th>
                  <th scope="col">{T.colDue}</th>
                  <th scope="col">{T.colCase}</th>
                  <th scope="col">{T.colWhen}</th>
                  <th scope="col">{T.colEmail}</th>
                  <th scope="col">{T.colRead}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((n) => (
                  <Row key={n.id} n={n} />
                ))}
              </tbody>
            </table>
          </div>
          {list.hasNextPage ? (
            <p>
              <button type="button" className="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {T.showOlder}
              </button>
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export default function NotificationsPage() {
  return (
    <>
      <PageHeading title={T.pageTitle}>{T.pageTitle}</PageHeading>
      <p className="hint">{T.pageIntro}</p>
      <ListSection />
      <PreferencesSection />
    </>
  );
}
