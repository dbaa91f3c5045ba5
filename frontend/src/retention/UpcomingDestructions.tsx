// 5.1: the signed-in ombudsperson's records falling due for destruction in the next 30
// days, and a legal hold on any of them.
import { useState } from 'react';
import { Link } from 'react-router';
import { Empty, Loading, Notice, ProblemAlert } from '../components/feedback';
import { formatDate, todayInWinnipeg } from '../lib/dates';
import { recordClassLabel } from '../lib/labels';
import { useUpcoming, type Upcoming } from './api';
import { ReasonForm } from './ReasonForm';
import { badgeClass, upcomingState } from './state';

export function recordName(u: { record_type: string; reference: string | null; closed_on?: string | null }): string {
  if (u.reference) return u.reference;
  return u.record_type === 'consultation' ? `Consultation of ${formatDate(u.closed_on)}` : 'Complaint';
}

export function recordPath(u: { record_type: string; id: string }): string {
  return u.record_type === 'consultation' ? `/consultations/${u.id}` : `/complaints/${u.id}`;
}

export default function UpcomingDestructions() {
  const list = useUpcoming();
  const [holding, setHolding] = useState<Upcoming | null>(null);
  const [held, setHeld] = useState<string | null>(null);
  const today = todayInWinnipeg();
  const items = list.data ?? [];
  return (
    <section className="panel" aria-labelledby="due-for-destruction">
      <h2 id="due-for-destruction">Records due for destruction</h2>
      <p className="hint">
        Your records whose retention period ends in the next 30 days (5.1). When one falls due its destruction is scheduled,
        then carried out after the restore window. A legal hold keeps a record; only an administrator lifts it.
      </p>
      <ProblemAlert error={list.error} />
      {held ? <Notice tone="success">{held} is held: it will not be destroyed.</Notice> : null}
      {list.isPending ? <Loading what="the records due for destruction" /> : null}
      {list.data && !items.length ? <Empty>None of your records falls due in the next 30 days.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>
              {items.length} record{items.length === 1 ? '' : 's'} due for destruction
            </caption>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Record class</th>
                <th scope="col">Due on</th>
                <th scope="col">State</th>
                <th scope="col">Legal hold</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => {
                const state = upcomingState(u, today);
                const name = recordName(u);
                return (
                  <tr key={u.id}>
                    <th scope="row">
                      <Link to={recordPath(u)}>{name}</Link>
                    </th>
                    <td>{recordClassLabel(u.record_class)}</td>
                    <td>
                      <time dateTime={u.due_on}>{formatDate(u.due_on)}</time>
                    </td>
                    <td>
                      <span className={badgeClass(state.kind)}>{state.label}</span> {state.text}
                    </td>
                    <td>
                      {u.held ? (
                        'Held'
                      ) : (
                        <button type="button" className="secondary" aria-label={`Place a legal hold on ${name}`} onClick={() => {
                            setHeld(null);
                            setHolding(u);
                          }}>
                          Place a legal hold
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {holding ? (
        <ReasonForm
          key={holding.id}
          action="hold"
          type={holding.record_type}
          id={holding.id}
          title={`Place a legal hold on ${recordName(holding)}`}
          intro="A held record is not destroyed, and a scheduled destruction is undone. The reason is kept encrypted; administrators never see it."
          submitLabel="Place the hold"
          onDone={(saved) => {
            if (saved) setHeld(recordName(holding));
            setHolding(null);
          }}
        />
      ) : null}
    </section>
  );
}
