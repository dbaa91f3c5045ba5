import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { Empty, Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { RadioGroup, SelectField, TextArea, TextField } from '../components/forms';
import { formatDate, formatDateTime, todayInWinnipeg } from '../lib/dates';
import { recommendationKindLabel, recommendationStatusLabel, stageLabel, staffKindLabel } from '../lib/labels';
import { DeadlineStatus, DueDate } from '../complaints/Deadline';
import { changeArgs, useOfficerRecommendations, useProposal, useStaffResources, useStatus, useStatusChange, type OfficerRecommendation, type Proposal } from './api';

function Conflict({ id }: { id: string }) {
  const [confirming, setConfirming] = useState(false);
  const navigate = useNavigate();
  const m = useStatusChange(id, (_: null, ifMatch: string) => unwrap(api.POST('/api/status/{complaint_id}/conflict', changeArgs(id, ifMatch))));
  return (
    <section className="panel" aria-labelledby="conflict">
      <h2 id="conflict">Conflict of interest (4.3.1(iv))</h2>
      <p>If you have a conflict on this case, declare it: you leave the case entirely, and the other officers see only that one officer is recused.</p>
      <ProblemAlert error={m.error} onReload={() => m.reset()} />
      {confirming ? (
        <div className="actions">
          <button type="button" className="danger" disabled={m.isPending} onClick={() => m.mutate(null, { onSuccess: () => navigate('/status', { replace: true }) })}>
            Yes, declare my conflict and leave the case
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Declare a conflict
        </button>
      )}
    </section>
  );
}

function Panel({ id, proposal, canStrike }: { id: string; proposal: Proposal | null; canStrike: boolean }) {
  const qc = useQueryClient();
  const reload = () => void qc.invalidateQueries({ queryKey: ['status', id] });
  // 4.3.1(v): the officers choose the staff resource from the list, or let one be drawn.
  const [staff, setStaff] = useState('');
  const confirmed = proposal?.status === 'confirmed';
  const staffResources = useStaffResources(id, canStrike && !confirmed);
  const known = staffResources.data ?? [];
  const propose = useStatusChange(id, (staffResourceId: string, ifMatch: string) =>
    unwrap(
      api.POST('/api/status/{complaint_id}/committee/proposal', {
        ...changeArgs(id, ifMatch),
        body: { staff_resource_id: staffResourceId || null },
      }),
    ),
  );
  const staffError = fieldErrorsOf(propose.error).staff_resource_id;
  const redraw = useStatusChange(id, (seat: number, ifMatch: string) =>
    unwrap(
      api.POST('/api/status/{complaint_id}/committee/proposal/seats/{seat}/redraw', {
        params: { path: { complaint_id: id, seat }, header: { 'If-Match': ifMatch } },
      }),
    ),
  );
  const [struckOn, setStruckOn] = useState('');
  const confirm = useStatusChange(id, (version: number, ifMatch: string) =>
    unwrap(
      api.POST('/api/status/{complaint_id}/committee/confirm', {
        ...changeArgs(id, ifMatch),
        body: { proposal_version: version, occurred_on: struckOn || null },
      }),
    ),
  );
  const struckOnError = fieldErrorsOf(confirm.error).occurred_on;
  const error = propose.error ?? redraw.error ?? confirm.error;
  const resetAll = () => {
    propose.reset();
    redraw.reset();
    confirm.reset();
    reload();
  };
  return (
    <section className="panel" aria-labelledby="panel">
      <h2 id="panel">Complaint Review Committee (4.3.1(v))</h2>
      <p className="hint">Three ombudspersons who took no part in the complaint, and one staff resource. The system draws only eligible people.</p>
      <ProblemAlert error={error} onReload={resetAll} />
      {proposal ? (
        <>
          <p>
            {confirmed ? (
              <span className="badge badge-ok">Struck on {formatDate(proposal.struck_on)}</span>
            ) : (
              <span className="badge badge-muted">Proposed (version {proposal.version}), not yet confirmed</span>
            )}
          </p>
          <table>
            <caption>The panel</caption>
            <thead>
              <tr>
                <th scope="col">Seat</th>
                <th scope="col">Member</th>
                {!confirmed && canStrike ? <th scope="col">Action</th> : null}
              </tr>
            </thead>
            <tbody>
              {proposal.seats.map((s) => (
                <tr key={s.seat}>
                  <th scope="row">Seat {s.seat}</th>
                  <td>
                    {s.display_name}
                    {!confirmed && s.available === false ? (
                      <>
                        {' '}
                        <span className="badge badge-overdue">Not available</span>
                      </>
                    ) : null}
                  </td>
                  {!confirmed && canStrike ? (
                    <td>
                      {s.can_redraw ? (
                        <button type="button" className={s.available === false ? undefined : 'secondary'} disabled={redraw.isPending} onClick={() => redraw.mutate(s.seat)} aria-label={`Redraw seat ${s.seat}`}>
                          Redraw
                        </button>
                      ) : (
                        <span className="muted">No redraw left</span>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
              <tr>
                <th scope="row">Staff resource</th>
                <td>{proposal.staff_resource?.display_name ?? '—'}</td>
                {!confirmed && canStrike ? <td /> : null}
              </tr>
            </tbody>
          </table>
          {!confirmed && canStrike ? (
            <p className="hint">
              {proposal.seats.some((x) => x.available === false)
                ? 'A member shown “not available” can no longer sit: redraw that seat before you confirm. '
                : ''}
              Redraws left for seats whose member can still sit: {proposal.discretionary_redraws_left}.
            </p>
          ) : null}
        </>
      ) : (
        <Empty>No panel has been proposed yet.</Empty>
      )}
      {canStrike && !confirmed && known.length ? (
        <RadioGroup
          label="Staff resource for the next panel drawn (4.3.1(v))"
          hint="Choose the Special Assignments Officer or the Equality Representative, or let the system draw an eligible one fairly. One who is a party or a witness on this complaint is refused as not eligible."
          options={[
            { value: '', label: 'Draw one fairly' },
            ...known.map((k) => ({ value: k.user_id, label: `${k.display_name}, ${staffKindLabel(k.kind)}` })),
          ]}
          value={staff}
          onChange={setStaff}
          error={staffError}
        />
      ) : null}
      <ProblemAlert error={staffResources.error} />
      {canStrike && !confirmed && staffResources.data && !known.length ? <p className="hint">No staff resource is on the list: one is drawn fairly with the panel.</p> : null}
      {canStrike && !confirmed && proposal ? (
        <TextField
          label="Date the CRC was struck (optional)"
          hint="The day the table officers struck it, if not today. Deadlines count from that day."
          type="date"
          max={todayInWinnipeg()}
          value={struckOn}
          onChange={(e) => setStruckOn(e.target.value)}
          error={struckOnError}
        />
      ) : null}
      {canStrike && !confirmed ? (
        <div className="actions">
          <button type="button" className={proposal ? 'secondary' : undefined} disabled={propose.isPending} onClick={() => propose.mutate(staff)}>
            {proposal ? 'Draw a new panel' : 'Propose a panel'}
          </button>
          {proposal ? (
            <button type="button" disabled={confirm.isPending} onClick={() => confirm.mutate(proposal.version)}>
              Confirm this panel: strike the CRC
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function TrackForm({ id, r, onDone }: { id: string; r: OfficerRecommendation; onDone(): void }) {
  const [status, setStatus] = useState<Schemas['TrackedStatus']>('implemented');
  const [on, setOn] = useState(todayInWinnipeg());
  const [note, setNote] = useState('');
  const m = useStatusChange(id, (body: Schemas['RecommendationStatusIn'], ifMatch: string) =>
    unwrap(
      api.POST('/api/status/{complaint_id}/recommendations/{recommendation_id}/status', {
        params: { path: { complaint_id: id, recommendation_id: r.id }, header: { 'If-Match': ifMatch } },
        body,
      }),
    ),
  );
  const errors = fieldErrorsOf(m.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate({ status, status_on: on, status_note: note || null }, { onSuccess: onDone });
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="Track the recommendation">
      <h3>Track: {recommendationKindLabel(r.kind)}</h3>
      <ProblemAlert error={m.error} onReload={() => m.reset()} />
      <SelectField
        label="What was done"
        options={[
          { value: 'implemented', label: 'Implemented' },
          { value: 'declined', label: 'Declined' },
        ]}
        value={status}
        onChange={(e) => setStatus(e.target.value as Schemas['TrackedStatus'])}
        error={errors.status}
        required
      />
      <TextField label="On" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.status_on} required />
      <TextArea label="Note (optional)" value={note} onChange={(e) => setNote(e.target.value)} error={errors.status_note} />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>Save</button>
        <button type="button" className="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

function Recommendations({ id }: { id: string }) {
  const recs = useOfficerRecommendations(id);
  const [tracking, setTracking] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="recs">
      <h2 id="recs">Recommendations to implement (4.3.1(viii))</h2>
      <ProblemAlert error={recs.error} />
      {recs.data && !recs.data.length ? <Empty>No recommendation has been handed to you.</Empty> : null}
      {recs.data?.map((r) => (
        <article key={r.id} className="sub">
          <h3>{recommendationKindLabel(r.kind)}</h3>
          <p className="pre">{r.text}</p>
          <p className="muted">
            Handed over {formatDateTime(r.disclosed_at)} · {recommendationStatusLabel(r.status)}
            {r.status_on ? ` on ${formatDate(r.status_on)}` : ''}
            {r.status_note ? `: ${r.status_note}` : ''}
          </p>
          {r.status === 'pending' && tracking !== r.id ? (
            <button type="button" className="secondary" onClick={() => setTracking(r.id)}>
              Record what was done
            </button>
          ) : null}
          {tracking === r.id ? <TrackForm id={id} r={r} onDone={() => setTracking(null)} /> : null}
        </article>
      ))}
    </section>
  );
}

export default function StatusPage() {
  const { id = '' } = useParams();
  const status = useStatus(id);
  const proposal = useProposal(id);
  if (status.isPending) return <Loading what="the status" />;
  const s = status.data?.data;
  if (!s) {
    return (
      <>
        <PageHeading title="Status">Status</PageHeading>
        <ProblemAlert error={status.error} />
        <p>
          <Link to="/status">Back to the status board</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeading title={`Case ${s.reference}`}>Case {s.reference}</PageHeading>
      <p>
        <Link to="/status">Back to the status board</Link>
      </p>
      <section className="panel" aria-labelledby="where">
        <h2 id="where">Where it stands</h2>
        <dl className="facts">
          <dt>Stage</dt>
          <dd>{stageLabel(s.stage)}</dd>
          <dt>Awaiting</dt>
          <dd>{s.awaiting}</dd>
          <dt>CRC to be struck</dt>
          <dd>{s.crc_to_be_struck ? 'Yes' : 'No'}</dd>
          <dt>Officers recused</dt>
          <dd>{s.recused_officers}</dd>
          <dt>Deadlines</dt>
          <dd>
            {s.deadlines.length ? (
              <ul>
                {s.deadlines.map((d) => (
                  <li key={`${d.kind}-${d.due_on}`}>
                    <DueDate kind={d.kind} dueOn={d.due_on} overdue={false} /> <DeadlineStatus status={d.status} overdue={d.overdue} />
                  </li>
                ))}
              </ul>
            ) : (
              'None'
            )}
          </dd>
        </dl>
        {s.crc_to_be_struck ? <Notice tone="warning">A Complaint Review Committee must be struck.</Notice> : null}
      </section>
      {proposal.isPending ? <Loading what="the panel" /> : <Panel id={id} proposal={proposal.data ?? null} canStrike={s.stage === 'committee'} />}
      {s.stage === 'conclusions' || s.stage === 'closed' ? <Recommendations id={id} /> : null}
      {s.stage !== 'closed' ? <Conflict id={id} /> : null}
    </>
  );
}
