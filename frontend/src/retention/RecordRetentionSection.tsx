// 5.1: a complaint's or a consultation's place on its retention schedule, on its page:
// class, due date, a scheduled destruction and until when it can be undone, a legal hold
// with its reason; placing a hold (its ombudsperson), lifting it or undoing a scheduled
// destruction (an administrator, confirmed first).
import { useState } from 'react';
import { Loading, Notice, ProblemAlert } from '../components/feedback';
import { useSession } from '../auth/session';
import { formatDate, formatDateTime, todayInWinnipeg } from '../lib/dates';
import { recordClassLabel } from '../lib/labels';
import { useRecordRetention, type RecordType, type RetentionAction } from './api';
import { ReasonForm } from './ReasonForm';
import { badgeClass, recordState, ruleText } from './state';

const DONE: Record<RetentionAction, string> = {
  hold: 'The legal hold was placed: the record will not be destroyed.',
  lift: 'The legal hold was lifted: the record follows its schedule again.',
  restore: 'The scheduled destruction was undone: the record is held.',
};

export function RecordRetentionSection({ type, id, canHold }: { type: RecordType; id: string; canHold: boolean }) {
  const retention = useRecordRetention(type, id);
  const { me, hasRole } = useSession();
  const [open, setOpen] = useState<RetentionAction | null>(null);
  const [done, setDone] = useState<RetentionAction | null>(null);
  const r = retention.data;
  const admin = hasRole('administrator');
  const what = type === 'complaint' ? 'complaint' : 'consultation';
  const state = r ? recordState(r, todayInWinnipeg()) : null;
  const offered: [RetentionAction, string][] = [];
  if (r && !r.destroyed_at) {
    if (canHold && !r.hold) offered.push(['hold', 'Place a legal hold']);
    if (admin && r.hold) offered.push(['lift', 'Lift the legal hold']);
    if (admin && r.scheduled) offered.push(['restore', 'Undo the scheduled destruction']);
  }
  return (
    <section className="panel" aria-labelledby={`retention-${id}`}>
      <h2 id={`retention-${id}`}>Retention (5.1)</h2>
      <ProblemAlert error={retention.error} />
      {retention.isPending ? <Loading what="the retention schedule" /> : null}
      {done ? <Notice tone="success">{DONE[done]}</Notice> : null}
      {r && state ? (
        <>
          <p>
            <span className={badgeClass(state.kind)}>{state.label}</span> {state.text}
          </p>
          <dl className="facts">
            <dt>Record class</dt>
            <dd>{r.record_class ? recordClassLabel(r.record_class) : `Not yet: the ${what} is open`}</dd>
            <dt>Rule</dt>
            <dd>{ruleText(r.record_class, r.period_days)}</dd>
            <dt>Closed on</dt>
            <dd>{formatDate(r.closed_on)}</dd>
            <dt>Due for destruction on</dt>
            <dd>{r.due_on ? <time dateTime={r.due_on}>{formatDate(r.due_on)}</time> : '—'}</dd>
            <dt>Scheduled destruction</dt>
            <dd>
              {r.scheduled ? (
                <>
                  Carried out on <time dateTime={r.scheduled.carry_out_on}>{formatDate(r.scheduled.carry_out_on)}</time>; it can be
                  undone until then (scheduled {formatDateTime(r.scheduled.scheduled_at)}).
                </>
              ) : (
                'None'
              )}
            </dd>
            <dt>Legal hold</dt>
            <dd>
              {r.hold ? (
                <>
                  Placed {formatDateTime(r.hold.placed_at)} by {r.hold.placed_by === me?.id ? 'you' : 'another user'}.
                  {r.hold.reason ? (
                    <>
                      {' '}
                      Reason: <span className="pre">{r.hold.reason}</span>
                    </>
                  ) : null}
                  {admin ? null : <div className="muted">Only an administrator lifts a legal hold.</div>}
                </>
              ) : (
                'None'
              )}
            </dd>
          </dl>
          {offered.length ? (
            <div className="actions">
              {offered.map(([action, label]) => (
                <button
                  key={action}
                  type="button"
                  className={open === action ? undefined : 'secondary'}
                  aria-pressed={open === action}
                  onClick={() => {
                    setDone(null);
                    setOpen((current) => (current === action ? null : action));
                  }}
                >
                  {label}
                </button>
              ))}
            </div>
          ) : null}
          {open === 'hold' ? (
            <ReasonForm
              action="hold"
              type={type}
              id={id}
              title="Place a legal hold"
              intro={`A held ${what} is not destroyed, and a scheduled destruction is undone. Only an administrator lifts the hold. The reason is kept encrypted.`}
              submitLabel="Place the hold"
              onDone={(saved) => {
                if (saved) setDone('hold');
                setOpen(null);
              }}
            />
          ) : null}
          {open === 'lift' ? (
            <ReasonForm
              action="lift"
              type={type}
              id={id}
              title="Lift the legal hold"
              intro={`Once lifted, the ${what} follows its schedule again and may be destroyed.`}
              submitLabel="Lift the hold"
              confirm={`Lift the legal hold? The ${what} may then be destroyed at the end of its retention period.`}
              onDone={(saved) => {
                if (saved) setDone('lift');
                setOpen(null);
              }}
            />
          ) : null}
          {open === 'restore' ? (
            <ReasonForm
              action="restore"
              type={type}
              id={id}
              title="Undo the scheduled destruction"
              intro={`The destruction is cancelled and the ${what} is held until an administrator lifts the hold.`}
              submitLabel="Undo the destruction"
              confirm={`Undo the scheduled destruction? The ${what} is then kept under a legal hold.`}
              onDone={(saved) => {
                if (saved) setDone('restore');
                setOpen(null);
              }}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
