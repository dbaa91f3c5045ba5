import { useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../components/forms';
import { Loading, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { formatDate, todayInWinnipeg } from '../lib/dates';
import type { Schemas } from '../api/client';
import { useAddTerm, useAddTraining, useEndTerm, useRoster, useUsers, type Seat } from './api';

type Action = { seat: Seat; what: 'seat' | 'end' | 'training' };

function SeatForm({ seat, onDone }: { seat: Seat; onDone(): void }) {
  const users = useUsers();
  const addTerm = useAddTerm();
  const [userId, setUserId] = useState('');
  const [startsOn, setStartsOn] = useState(todayInWinnipeg());
  const [endsOn, setEndsOn] = useState('');
  const errors = fieldErrorsOf(addTerm.error);
  const candidates = (users.data ?? []).filter((u) => u.is_active && u.roles.includes('ombudsperson'));
  async function submit(e: FormEvent) {
    e.preventDefault();
    await addTerm.mutateAsync({ seatId: seat.id, body: { user_id: userId, starts_on: startsOn, ends_on: endsOn || null } });
    onDone();
  }
  return (
    <form className="panel" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={`Seat an ombudsperson for ${seat.unit.name}`}>
      <h3>Seat an ombudsperson: {seat.unit.name}</h3>
      <ProblemAlert error={addTerm.error} />
      <SelectField
        label="Ombudsperson"
        placeholder="Choose…"
        options={candidates.map((u) => ({ value: u.id, label: `${u.display_name} (${u.username})` }))}
        value={userId}
        onChange={(e) => setUserId(e.target.value)}
        error={errors.user_id}
        required
      />
      <div className="grid-2">
        <TextField label="Term starts on" type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} error={errors.starts_on} required />
        <TextField label="Term ends on" type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} error={errors.ends_on} hint="Leave empty for an open term" />
      </div>
      <div className="actions">
        <button type="submit" disabled={addTerm.isPending}>Seat</button>
        <button type="button" className="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

function EndTermForm({ seat, onDone }: { seat: Seat; onDone(): void }) {
  const endTerm = useEndTerm();
  const [endsOn, setEndsOn] = useState(todayInWinnipeg());
  const term = seat.current_term;
  if (!term) return null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!term) return;
    await endTerm.mutateAsync({ termId: term.id, endsOn });
    onDone();
  }
  return (
    <form className="panel" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={`End the term of ${term.display_name}`}>
      <h3>End the term of {term.display_name} ({seat.unit.name})</h3>
      <ProblemAlert error={endTerm.error} />
      <TextField label="Last day of the term" type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} error={fieldErrorsOf(endTerm.error).ends_on} required />
      <div className="actions">
        <button type="submit" disabled={endTerm.isPending}>End the term</button>
        <button type="button" className="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

function TrainingForm({ seat, onDone }: { seat: Seat; onDone(): void }) {
  const addTraining = useAddTraining();
  const [kind, setKind] = useState<Schemas['TrainingKind']>('ongoing');
  const [completedOn, setCompletedOn] = useState(todayInWinnipeg());
  const term = seat.current_term;
  if (!term) return null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!term) return;
    await addTraining.mutateAsync({ userId: term.user_id, body: { kind, completed_on: completedOn } });
    onDone();
  }
  const errors = fieldErrorsOf(addTraining.error);
  return (
    <form className="panel" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label={`Record training for ${term.display_name}`}>
      <h3>Record training: {term.display_name}</h3>
      <ProblemAlert error={addTraining.error} />
      <SelectField
        label="Training"
        options={[
          { value: 'comprehensive', label: 'Comprehensive training' },
          { value: 'ongoing', label: 'Ongoing training' },
        ]}
        value={kind}
        onChange={(e) => setKind(e.target.value as Schemas['TrainingKind'])}
        error={errors.kind}
        required
      />
      <TextField label="Completed on" type="date" value={completedOn} onChange={(e) => setCompletedOn(e.target.value)} error={errors.completed_on} required />
      <div className="actions">
        <button type="submit" disabled={addTraining.isPending}>Record the training</button>
        <button type="button" className="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

export default function RosterPage() {
  const roster = useRoster();
  const [action, setAction] = useState<Action | null>(null);
  const done = () => setAction(null);
  const vacant = roster.data?.filter((s) => s.vacant).length ?? 0;
  return (
    <>
      <PageHeading title="Ombudsperson roster">Ombudsperson roster</PageHeading>
      <p>One seat per Unit and one for the affiliates (3.1). {roster.data ? `${vacant} of ${roster.data.length} seats are vacant.` : null}</p>
      <ProblemAlert error={roster.error} />
      {roster.isPending ? <Loading what="the roster" /> : null}
      {roster.data ? (
        <div className="table-wrap">
          <table>
            <caption>Seats, who holds each today, and their training</caption>
            <thead>
              <tr>
                <th scope="col">Seat</th>
                <th scope="col">Ombudsperson</th>
                <th scope="col">Term</th>
                <th scope="col">Training</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {roster.data.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.unit.code} · {s.unit.name}</th>
                  <td>{s.vacant || !s.current_term ? <span className="badge badge-overdue">Vacant</span> : s.current_term.display_name}</td>
                  <td>
                    {s.current_term ? (
                      <>
                        from {formatDate(s.current_term.starts_on)}
                        {s.current_term.ends_on ? <> to {formatDate(s.current_term.ends_on)}</> : null}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {s.training.length ? (
                      <ul>
                        {s.training.map((t) => (
                          <li key={t.id}>
                            {t.kind === 'comprehensive' ? 'Comprehensive' : 'Ongoing'}: {formatDate(t.completed_on)}
                          </li>
                        ))}
                      </ul>
                    ) : s.current_term ? (
                      <span className="badge badge-overdue">No training recorded</span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <div className="actions">
                      <button type="button" className="secondary" onClick={() => setAction({ seat: s, what: 'seat' })} aria-label={`Seat an ombudsperson for ${s.unit.name}`}>
                        Seat someone
                      </button>
                      {s.current_term ? (
                        <>
                          <button type="button" className="secondary" onClick={() => setAction({ seat: s, what: 'end' })} aria-label={`End the term for ${s.unit.name}`}>
                            End term
                          </button>
                          <button type="button" className="secondary" onClick={() => setAction({ seat: s, what: 'training' })} aria-label={`Record training for ${s.unit.name}`}>
                            Training
                          </button>
                        </>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {action?.what === 'seat' ? <SeatForm key={action.seat.id} seat={action.seat} onDone={done} /> : null}
      {action?.what === 'end' ? <EndTermForm key={action.seat.id} seat={action.seat} onDone={done} /> : null}
      {action?.what === 'training' ? <TrainingForm key={action.seat.id} seat={action.seat} onDone={done} /> : null}
    </>
  );
}
