// 5.1, for administrators: the destructions scheduled and still undoable, the legal holds
// standing (lifted here), and the destruction register. References, classes and dates
// only: never a hold's reason or anything of the record.
import { useState } from 'react';
import { Empty, Loading, Notice, PageHeading, ProblemAlert } from '../components/feedback';
import { formatDate, formatDateTime } from '../lib/dates';
import { carriedOutViaLabel, recordClassLabel } from '../lib/labels';
import { useDestructionRegister, useHolds, useScheduled, type AdminHold, type AdminScheduled } from '../retention/api';
import { ReasonForm } from '../retention/ReasonForm';
import { ruleText } from '../retention/state';
import { useUsers } from './api';

/** A record as an administrator names it: its reference, or a consultation's short id. */
export function adminRecordName(r: { record_type?: string; reference: string | null; record_id: string }): string {
  if (r.reference) return r.reference;
  return `${r.record_type === 'complaint' ? 'Complaint' : 'Consultation'} ${r.record_id.slice(0, 8)}`;
}

function useUserName() {
  const users = useUsers();
  return (id: string | null | undefined) => (id ? (users.data?.find((u) => u.id === id)?.display_name ?? 'a user') : '—');
}

function ScheduledSection() {
  const scheduled = useScheduled();
  const [undoing, setUndoing] = useState<AdminScheduled | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const items = scheduled.data ?? [];
  return (
    <section className="panel" aria-labelledby="scheduled">
      <h2 id="scheduled">Scheduled destructions</h2>
      <p className="hint">Records past their retention period, destroyed on the date shown unless undone before then. Undoing one holds the record.</p>
      <ProblemAlert error={scheduled.error} />
      {done ? <Notice tone="success">The destruction of {done} was undone: the record is held.</Notice> : null}
      {scheduled.isPending ? <Loading what="the scheduled destructions" /> : null}
      {scheduled.data && !items.length ? <Empty>No destruction is scheduled.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>
              {items.length} scheduled destruction{items.length === 1 ? '' : 's'}, soonest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Record class</th>
                <th scope="col">Due on</th>
                <th scope="col">Carried out on</th>
                <th scope="col">Undo</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{adminRecordName(s)}</th>
                  <td>{recordClassLabel(s.record_class)}</td>
                  <td>{formatDate(s.due_on)}</td>
                  <td>{formatDate(s.carry_out_on)}</td>
                  <td>
                    <button type="button" className="secondary" aria-label={`Undo the destruction of ${adminRecordName(s)}`} onClick={() => { setDone(null); setUndoing(s); }}>
                      Undo the destruction
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {undoing ? (
        <ReasonForm
          key={undoing.id}
          action="restore"
          type={undoing.record_type}
          id={undoing.record_id}
          title={`Undo the destruction of ${adminRecordName(undoing)}`}
          intro="The destruction is cancelled and the record held until an administrator lifts the hold."
          submitLabel="Undo the destruction"
          confirm={`Undo the scheduled destruction of ${adminRecordName(undoing)}? It is then kept under a legal hold.`}
          onDone={(saved) => {
            if (saved) setDone(adminRecordName(undoing));
            setUndoing(null);
          }}
        />
      ) : null}
    </section>
  );
}

function HoldsSection() {
  const holds = useHolds();
  const name = useUserName();
  const [lifting, setLifting] = useState<AdminHold | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const items = holds.data ?? [];
  return (
    <section className="panel" aria-labelledby="holds">
      <h2 id="holds">Legal holds</h2>
      <p className="hint">Held records are never destroyed. The reason for a hold is for the ombudsperson alone and is not shown here.</p>
      <ProblemAlert error={holds.error} />
      {done ? <Notice tone="success">The legal hold on {done} was lifted: the record follows its schedule again.</Notice> : null}
      {holds.isPending ? <Loading what="the legal holds" /> : null}
      {holds.data && !items.length ? <Empty>No legal hold stands.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>
              {items.length} legal hold{items.length === 1 ? '' : 's'}, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Placed</th>
                <th scope="col">By</th>
                <th scope="col">Lift</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.id}>
                  <th scope="row">{adminRecordName(h)}</th>
                  <td>{formatDateTime(h.placed_at)}</td>
                  <td>{name(h.placed_by)}</td>
                  <td>
                    <button type="button" className="secondary" aria-label={`Lift the legal hold on ${adminRecordName(h)}`} onClick={() => { setDone(null); setLifting(h); }}>
                      Lift the hold
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {lifting ? (
        <ReasonForm
          key={lifting.id}
          action="lift"
          type={lifting.record_type}
          id={lifting.record_id}
          title={`Lift the legal hold on ${adminRecordName(lifting)}`}
          intro="Once lifted, the record follows its schedule again and may be destroyed."
          submitLabel="Lift the hold"
          confirm={`Lift the legal hold on ${adminRecordName(lifting)}? It may then be destroyed at the end of its retention period.`}
          onDone={(saved) => {
            if (saved) setDone(adminRecordName(lifting));
            setLifting(null);
          }}
        />
      ) : null}
    </section>
  );
}

function RegisterSection() {
  // The cursors of the pages read so far: the last one is shown.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const cursor = pages[pages.length - 1] ?? null;
  const register = useDestructionRegister(cursor);
  const name = useUserName();
  const items = register.data?.items ?? [];
  const next = register.data?.next_cursor ?? null;
  return (
    <section className="panel" aria-labelledby="register">
      <h2 id="register">Destruction register</h2>
      <p className="hint">Every destruction carried out, newest first: the record's class and reference, the rule applied, the dates and who ran it. No content.</p>
      <ProblemAlert error={register.error} />
      {register.isPending ? <Loading what="the destruction register" /> : null}
      {register.data && !items.length ? <Empty>No record has been destroyed.</Empty> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption>Destructions{pages.length > 1 ? ` (page ${pages.length})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Rule applied</th>
                <th scope="col">Closed on</th>
                <th scope="col">Due on</th>
                <th scope="col">Scheduled</th>
                <th scope="col">Carried out</th>
                <th scope="col">Run by</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{adminRecordName({ ...e, record_type: e.record_class === 'consultation' ? 'consultation' : 'complaint' })}</th>
                  <td>{ruleText(e.record_class, e.period_days)}</td>
                  <td>{formatDate(e.closed_on)}</td>
                  <td>{formatDate(e.due_on)}</td>
                  <td>{formatDateTime(e.scheduled_at)}</td>
                  <td>{formatDateTime(e.carried_out_at)}</td>
                  <td>
                    {carriedOutViaLabel(e.carried_out_via)}
                    {e.carried_out_by ? <div className="muted">{name(e.carried_out_by)}</div> : null}
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
            Newer destructions
          </button>
        ) : null}
        {next ? (
          <button type="button" className="secondary" onClick={() => setPages([...pages, next])}>
            Older destructions
          </button>
        ) : null}
      </div>
    </section>
  );
}

export default function RetentionPage() {
  return (
    <>
      <PageHeading title="Retention">Retention and destruction (5.1)</PageHeading>
      <p>
        Records are kept for their record class's period after they close, then destroyed: names, narratives, letters, notes
        and attachments go; references, dates and coded facts stay.
      </p>
      <ScheduledSection />
      <HoldsSection />
      <RegisterSection />
    </>
  );
}
