import { useState } from 'react';
import { Empty, Loading, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { useAudit } from './api';

export default function AuditPage() {
  const [pages, setPages] = useState<(number | null)[]>([null]);
  const before = pages[pages.length - 1] ?? null;
  const audit = useAudit(before);
  return (
    <>
      <PageHeading title="Audit log">Audit log</PageHeading>
      <p>Every change and every read of a complaint's details, newest first (5.1). The log cannot be rewritten unnoticed.</p>
      <ProblemAlert error={audit.error} />
      {audit.isPending ? <Loading what="the audit log" /> : null}
      {audit.data && !audit.data.items.length ? <Empty>No entries.</Empty> : null}
      {audit.data?.items.length ? (
        <div className="table-wrap">
          <table>
            <caption>Audit entries</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.items.map((e) => (
                <tr key={e.seq}>
                  <th scope="row">{e.seq}</th>
                  <td>{formatDateTime(e.occurred_at)}</td>
                  <td>
                    {e.actor_kind}
                    {e.actor_id ? <div className="muted"><code>{e.actor_id.slice(0, 8)}</code></div> : null}
                  </td>
                  <td>{e.action}</td>
                  <td>
                    {e.object_type}
                    {e.object_id ? <div className="muted"><code>{e.object_id.slice(0, 8)}</code></div> : null}
                  </td>
                  <td>{e.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="actions">
        {pages.length > 1 ? (
          <button type="button" className="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Newer entries
          </button>
        ) : null}
        {audit.data?.next_before ? (
          <button type="button" className="secondary" onClick={() => setPages([...pages, audit.data.next_before])}>
            Older entries
          </button>
        ) : null}
      </div>
    </>
  );
}
