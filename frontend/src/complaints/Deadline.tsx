import type { Schemas } from '../api/client';
import { formatDate } from '../lib/dates';
import { deadlineKindLabel, deadlineStatusLabel } from '../lib/labels';

/** A due date with its weekday, and whether it has passed. */
export function DueDate({ kind, dueOn, overdue }: { kind?: string; dueOn: string; overdue: boolean }) {
  return (
    <span>
      {kind ? <>{deadlineKindLabel(kind)}: </> : null}
      <time dateTime={dueOn}>{formatDate(dueOn)}</time>{' '}
      {overdue ? <span className="badge badge-overdue">Overdue</span> : null}
    </span>
  );
}

const TONE: Record<Schemas['DeadlineStatus'], string> = {
  open: 'badge-muted',
  met: 'badge-ok',
  met_late: 'badge-late',
  lapsed: 'badge-muted',
  cancelled: 'badge-muted',
};

/**
 * Where a deadline stands: met, met late, lapsed or cancelled; an open one is overdue
 * only when the API says so (open and past its due date: the one meaning of overdue).
 */
export function DeadlineStatus({ status, overdue }: { status: Schemas['DeadlineStatus']; overdue: boolean }) {
  if (status === 'open' && overdue) return <span className="badge badge-overdue">Overdue</span>;
  return <span className={`badge ${TONE[status]}`}>{deadlineStatusLabel(status)}</span>;
}
