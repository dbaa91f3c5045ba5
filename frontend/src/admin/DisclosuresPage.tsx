import { useState } from 'react';
import { Empty, Loading, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { disclosurePurposeLabel } from '../lib/labels';
import { recipientText, useDisclosureRegister } from './api';

export default function DisclosuresPage() {
  // The cursors of the pages read so far: the last one is shown.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const cursor = pages[pages.length - 1] ?? null;
  const register = useDisclosureRegister(cursor);
  const items = register.data?.items ?? [];
  const next = register.data?.next_cursor ?? null;
  return (
    <>
      <PageHeading title="Disclosure register">Disclosure register</PageHeading>
      <p>
        Every disclosure of a complaint beyond the roles of the procedure (5.1), newest first: when, which complaint, for which
        purpose, who disclosed it and to whom. What was disclosed is never shown here.
      </p>
      <ProblemAlert error={register.error} />
      {register.isPending ? <Loading what="the disclosure register" /> : null}
      {register.data && !items.length ? <Empty>No disclosure has been recorded.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>Disclosures{pages.length > 1 ? ` (page ${pages.length})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Complaint</th>
                <th scope="col">Purpose</th>
                <th scope="col">Disclosed by</th>
                <th scope="col">To whom</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <time dateTime={d.disclosed_at}>{formatDateTime(d.disclosed_at)}</time>
                  </th>
                  <td>{d.complaint_reference}</td>
                  <td>{disclosurePurposeLabel(d.purpose)}</td>
                  <td>{d.disclosed_by.display_name}</td>
                  <td>
                    {d.recipients.length === 1 ? (
                      recipientText(d.recipients[0]!)
                    ) : (
                      <ul className="plain">
                        {d.recipients.map((r) => (
                          <li key={`${r.recipient}-${r.user_id ?? ''}`}>{recipientText(r)}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="actions">
        {pages.length > 1 ? (
          <button type="button" className="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Newer disclosures
          </button>
        ) : null}
        {next ? (
          <button type="button" className="secondary" onClick={() => setPages([...pages, next])}>
            Older disclosures
          </button>
        ) : null}
      </div>
    </>
  );
}
