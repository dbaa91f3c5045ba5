import { useState } from 'react';
import { Link } from 'react-router';
import { Empty, Loading, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDate, formatDateTime } from '../lib/dates';
import { closureLabel, stageLabel } from '../lib/labels';
import { useSession } from '../auth/session';
import { useDashboard } from './api';
import { DueDate } from './Deadline';
import ProposedPanels from '../committees/ProposedPanels';
import UpcomingDestructions from '../retention/UpcomingDestructions';

export default function Dashboard() {
  const [includeClosed, setIncludeClosed] = useState(false);
  const list = useDashboard(includeClosed);
  const { hasRole } = useSession();
  const items = list.data?.items ?? [];
  const overdue = items.filter((c) => c.next_deadline?.overdue).length;
  return (
    <>
      <PageHeading title="Your complaints">Your complaints and CRCs</PageHeading>
      <p>
        Complaints you took in or took part in, and those whose Complaint Review Committee you sit on. The nearest deadline
        comes first; overdue ones are at the top. No names are shown here.
      </p>
      {hasRole('ombudsperson') ? (
        <p>
          <Link className="button" to="/complaints/new">
            Take in a new complaint
          </Link>
        </p>
      ) : null}
      {hasRole('ombudsperson') ? <ProposedPanels /> : null}
      {hasRole('ombudsperson') ? <UpcomingDestructions /> : null}
      <div className="field choice">
        <input id="include-closed" type="checkbox" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} />
        <label htmlFor="include-closed"> Show closed complaints too</label>
      </div>
      <ProblemAlert error={list.error} />
      {list.isPending ? <Loading what="your complaints" /> : null}
      {list.data && !items.length ? <Empty>You have no {includeClosed ? '' : 'open '}complaints.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>
              {items.length} complaint{items.length === 1 ? '' : 's'}
              {overdue ? `, ${overdue} with an overdue deadline` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Stage</th>
                <th scope="col">Next deadline</th>
                <th scope="col">Received</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`/complaints/${c.id}`}>{c.reference}</Link>
                  </th>
                  <td>
                    {stageLabel(c.stage)}
                    {c.closure ? <div className="muted">{closureLabel(c.closure)}</div> : null}
                  </td>
                  <td>{c.next_deadline ? <DueDate kind={c.next_deadline.kind} dueOn={c.next_deadline.due_on} overdue={c.next_deadline.overdue} /> : '—'}</td>
                  <td>{formatDate(c.received_on)}</td>
                  <td>{formatDateTime(c.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
