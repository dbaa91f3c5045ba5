// For administrators: the e-mails every attempt failed to deliver (who, what kind, when, the
// error's type; never the case), each sent again with Retry.
import { useState } from 'react';
import { Empty, Loading, Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDateTime } from '../lib/dates';
import { useFailedDeliveries, useRetryDelivery } from './api';
import { kindLabel, T } from './text';

export default function FailedDeliveriesPage() {
  const failed = useFailedDeliveries();
  const retry = useRetryDelivery();
  const [done, setDone] = useState<string | null>(null);
  const items = failed.data ?? [];
  return (
    <>
      <PageHeading title={T.failedTitle}>{T.failedTitle}</PageHeading>
      <p className="hint">{T.failedIntro}</p>
      <ProblemAlert error={failed.error ?? retry.error} />
      {done ? <Notice tone="success">{T.retried(done)}</Notice> : null}
      {failed.isPending ? <Loading what={T.loadingFailed} /> : null}
      {failed.data && !items.length ? <Empty>{T.failedEmpty}</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>{T.failedCaption(items.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{T.colWho}</th>
                <th scope="col">{T.colKind}</th>
                <th scope="col">{T.colAttempts}</th>
                <th scope="col">{T.colError}</th>
                <th scope="col">{T.colWritten}</th>
                <th scope="col">{T.colRetry}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.id}>
                  <th scope="row">{f.display_name}</th>
                  <td>{kindLabel(f.kind)}</td>
                  <td>{f.attempts}</td>
                  <td>{f.last_error ?? T.unknownError}</td>
                  <td>{formatDateTime(f.created_at)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      aria-label={T.retryOf(f.display_name)}
                      disabled={retry.isPending}
                      onClick={() => {
                        setDone(null);
                        retry.mutate(f.id, { onSuccess: () => setDone(f.display_name) });
                      }}
                    >
                      {T.retry}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
