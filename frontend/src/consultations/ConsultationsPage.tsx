import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Empty, Loading, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { RadioGroup, TextArea, TextField } from '../components/forms';
import { MemberPicker } from '../directory/MemberPicker';
import { useDraft } from '../lib/drafts';
import { formatDate, formatDateTime, todayInWinnipeg } from '../lib/dates';
import { useConsultations, useRecordConsultation } from './api';
import { checkConsultation, newConsultation, toConsultationBody, type ConsultationDraft } from './model';

function RecordForm() {
  const [draft, setDraft, clearDraft] = useDraft<ConsultationDraft>('consultation', () => newConsultation());
  const [local, setLocal] = useState<Record<string, string>>({});
  const record = useRecordConsultation();
  const navigate = useNavigate();
  const errors = { ...fieldErrorsOf(record.error), ...local };
  const set = <K extends keyof ConsultationDraft>(key: K, v: ConsultationDraft[K]) => setDraft((d) => ({ ...d, [key]: v }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const found = checkConsultation(draft);
    setLocal(found);
    if (Object.keys(found).length) return;
    record.mutate(toConsultationBody(draft), {
      onSuccess: (created) => {
        clearDraft();
        navigate(`/consultations/${created.id}`, { state: { recorded: true } });
      },
    });
  }

  const memberError = errors.member_id;
  return (
    <section className="panel" aria-labelledby="record">
      <h2 id="record">Record a consultation</h2>
      <p className="hint">A confidential consultation is recorded without opening a complaint. Only you will ever see it.</p>
      <ProblemAlert error={record.error} />
      <form onSubmit={submit} noValidate aria-label="Record a consultation">
        {Object.keys(local).length ? (
          <div className="problem" role="alert">
            <p className="problem-title">Some entries are missing</p>
            <ul>
              {Object.values(local).map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <fieldset className="panel">
          <legend>The member</legend>
          <RadioGroup
            label="Is the member in the member directory?"
            options={[
              { value: 'member', label: 'Yes: find them in the directory' },
              { value: 'outside', label: 'No: record them by name' },
            ]}
            value={draft.kind}
            onChange={(kind) => set('kind', kind)}
          />
          {draft.kind === 'member' ? (
            <MemberPicker label="Member" value={draft.member} onChange={(m) => set('member', m)} error={memberError} />
          ) : (
            <TextField label="Full name" value={draft.fullName} onChange={(e) => set('fullName', e.target.value)} error={errors.full_name} required />
          )}
        </fieldset>
        <TextField label="Held on" type="date" max={todayInWinnipeg()} value={draft.heldOn} onChange={(e) => set('heldOn', e.target.value)} error={errors.held_on} required />
        <TextArea label="Notes" hint="What was discussed, and what the member will think about." value={draft.notes} onChange={(e) => set('notes', e.target.value)} error={errors.notes} required />
        <div className="field choice">
          <input id="consultation-other-routes" type="checkbox" checked={draft.otherRoutesTold} onChange={(e) => set('otherRoutesTold', e.target.checked)} />
          <label htmlFor="consultation-other-routes"> The member was told of other routes (CUPE Constitution, Human Rights Code, other law) (1.4)</label>
        </div>
        <div className="actions">
          <button type="submit" disabled={record.isPending}>
            {record.isPending ? 'Recording…' : 'Record the consultation'}
          </button>
        </div>
      </form>
    </section>
  );
}

export default function ConsultationsPage() {
  const list = useConsultations();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeading title="Consultations">Consultations (4.1)</PageHeading>
      <p>
        Early resolution starts with a confidential consultation. The member then chooses an informal or a formal complaint,
        or neither. The list shows no names: open a consultation to read it (each read is recorded).
      </p>
      <RecordForm />
      <section aria-labelledby="yours">
        <h2 id="yours">Your consultations</h2>
        <ProblemAlert error={list.error} />
        {list.isPending ? <Loading what="your consultations" /> : null}
        {list.data && !items.length ? <Empty>You have recorded no consultations.</Empty> : null}
        {items.length ? (
          <div className="table-wrap">
            <table>
              <caption>
                {items.length} consultation{items.length === 1 ? '' : 's'}, most recent first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Held on</th>
                  <th scope="col">Told of other routes (1.4)</th>
                  <th scope="col">Became a complaint</th>
                  <th scope="col">Recorded</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link to={`/consultations/${c.id}`}>{formatDate(c.held_on)}</Link>
                    </th>
                    <td>{c.other_routes_told ? 'Yes' : 'No'}</td>
                    <td>{c.complaint_id ? <Link to={`/complaints/${c.complaint_id}`}>Yes: open the complaint</Link> : c.became_complaint ? 'Yes' : 'No'}</td>
                    <td>{formatDateTime(c.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {list.hasNextPage ? (
          <button type="button" className="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Older consultations
          </button>
        ) : null}
      </section>
    </>
  );
}
