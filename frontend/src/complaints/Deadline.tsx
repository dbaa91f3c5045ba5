import { formatDate } from '../lib/dates';
import { deadlineKindLabel } from '../lib/labels';

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
