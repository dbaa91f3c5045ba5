// 6: the policy is reviewed every three years; the Executive records each review held.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Empty, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { TextArea, TextField } from '../components/forms';
import { formatDate, todayInWinnipeg } from '../lib/dates';
import { DeadlineStatus, DueDate } from '../complaints/Deadline';
import { usePolicyReviewDeadlines, usePolicyReviews, useRecordPolicyReview } from './api';

function RecordForm({ onDone }: { onDone(): void }) {
  const [heldOn, setHeldOn] = useState(todayInWinnipeg());
  const [note, setNote] = useState('');
  const m = useRecordPolicyReview();
  const errors = fieldErrorsOf(m.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate({ held_on: heldOn, note }, { onSuccess: onDone });
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="Record a policy review held">
      <h3>Record a policy review held (6)</h3>
      <ProblemAlert error={m.error} />
      <TextField label="Held on" type="date" max={todayInWinnipeg()} value={heldOn} onChange={(e) => setHeldOn(e.target.value)} error={errors.held_on} required />
      <TextArea label="Note" hint="What the review decided; kept encrypted." value={note} onChange={(e) => setNote(e.target.value)} error={errors.note} required />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          {m.isPending ? 'Saving…' : 'Record the review'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The policy review deadline, the reviews held, and recording one (table officers and administrators). */
export default function PolicyReviews() {
  const deadlines = usePolicyReviewDeadlines();
  const reviews = usePolicyReviews();
  const [recording, setRecording] = useState(false);
  const today = todayInWinnipeg();
  return (
    <section className="panel" aria-labelledby="policy-reviews">
      <h2 id="policy-reviews">Policy review (6)</h2>
      <p className="hint">The Executive reviews this policy every three years. Recording a review held meets the review due; the next falls due three years on.</p>
      <ProblemAlert error={deadlines.error ?? reviews.error} />
      {deadlines.data?.length ? (
        <ul>
          {deadlines.data.map((d) => (
            <li key={d.id}>
              <DueDate kind={d.kind} dueOn={d.due_on} overdue={false} /> <DeadlineStatus status={d.status} overdue={d.status === 'open' && d.due_on < today} />
              {d.satisfied_on ? ` on ${formatDate(d.satisfied_on)}` : ''}
            </li>
          ))}
        </ul>
      ) : deadlines.data ? (
        <Empty>No policy review is due.</Empty>
      ) : null}
      <h3>Reviews held</h3>
      {reviews.data?.length ? (
        <ul>
          {reviews.data.map((r) => (
            <li key={r.id}>
              {formatDate(r.held_on)}: <span className="pre">{r.note}</span>{' '}
              <Link to={`/statistics?${new URLSearchParams({ from: r.report_from, to: r.report_to }).toString()}`} aria-label={`Report for this review period (the review of ${formatDate(r.held_on)})`}>
                Report for this review period
              </Link>{' '}
              <span className="muted">
                ({formatDate(r.report_from)} to {formatDate(r.report_to)})
              </span>
            </li>
          ))}
        </ul>
      ) : reviews.data ? (
        <Empty>No review recorded yet.</Empty>
      ) : null}
      {recording ? (
        <RecordForm
          onDone={() => {
            setRecording(false);
            void deadlines.refetch();
          }}
        />
      ) : (
        <button type="button" className="secondary" onClick={() => setRecording(true)}>
          Record a policy review held
        </button>
      )}
    </section>
  );
}
