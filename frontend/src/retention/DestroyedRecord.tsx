// 5.1: a destroyed complaint answers 410 with its tombstone; its page says so plainly
// instead of showing an error.
import { Link } from 'react-router';
import { PageHeading } from '../components/feedback';
import { ApiError } from '../api/problem';
import { formatDate, formatDateTime } from '../lib/dates';
import { useRecordRetention } from './api';
import { ruleText } from './state';

export function isDestroyed(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 410;
}

export function DestroyedRecord({ id, error }: { id: string; error: ApiError }) {
  const tombstone = useRecordRetention('complaint', id);
  const t = tombstone.data;
  const day = error.problem.destroyed_on;
  return (
    <>
      <PageHeading title="Record destroyed">{t?.reference ? `Complaint ${t.reference}: destroyed` : 'Complaint destroyed'}</PageHeading>
      <section className="panel" aria-labelledby="tombstone">
        <h2 id="tombstone">This record was destroyed</h2>
        <p>
          This record was destroyed on {t?.destroyed_at ? formatDateTime(t.destroyed_at) : formatDate(day)}
          {t?.record_class ? ` under the rule “${ruleText(t.record_class, t.period_days)}”` : ''}, at the end of its retention
          period (5.1). Its names, narrative, letters, notes and attachments are gone and cannot be recovered; its reference,
          dates and coded facts remain.
        </p>
        {t ? (
          <dl className="facts">
            <dt>Reference</dt>
            <dd>{t.reference ?? '—'}</dd>
            <dt>Closed on</dt>
            <dd>{formatDate(t.closed_on)}</dd>
            <dt>Due for destruction on</dt>
            <dd>{formatDate(t.due_on)}</dd>
          </dl>
        ) : null}
      </section>
      <p>
        <Link to="/complaints">Back to your complaints</Link>
      </p>
    </>
  );
}
