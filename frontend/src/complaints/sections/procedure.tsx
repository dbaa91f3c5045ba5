import { useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import { formatDate, formatDateTime } from '../../lib/dates';
import {
  disclosurePurposeLabel,
  exclusionLabel,
  findingLabel,
  informalMethodLabel,
  informalOutcomeLabel,
  investigationKindLabel,
  letterPartsInWords,
  noticeMethodLabel,
  partyRoleLabel,
  recommendationKindLabel,
  recommendationStatusLabel,
  responseFlagLabel,
  stageLabel,
  staffKindLabel,
} from '../../lib/labels';
import { Empty, Loading, ProblemAlert } from '../../components/feedback';
import { toApiError } from '../../api/problem';
import { ComplaintProvider, useComplaintCtx, type ComplaintCtx } from '../context';
import {
  useAttachments,
  useAttempts,
  useCommittee,
  useConclusions,
  useDisclosures,
  useEligibility,
  useEntries,
  useLetter,
  usePartyNotices,
  useRecommendations,
  useResponseStatus,
  type PartyNotice,
} from '../procedure';
import { UpdateAttemptForm } from '../steps/informalSteps';
import { PartyToldForm, PartyWaiveForm } from '../steps/investigationSteps';
import { DueDate } from '../Deadline';

export function InformalSection() {
  const { id, parts, detail } = useComplaintCtx();
  const attempts = useAttempts(id);
  const [editing, setEditing] = useState<string | null>(null);
  const canEdit = parts.has('handler') && detail.allowed_actions.includes('record_informal_attempt');
  return (
    <section className="panel" aria-labelledby="informal">
      <h2 id="informal">Informal attempts (4.2.1)</h2>
      {attempts.isPending ? <Loading what="the attempts" /> : null}
      {attempts.data && !attempts.data.length ? <Empty>No informal attempt yet.</Empty> : null}
      {attempts.data?.map((a, i) => (
        <article key={a.id} className="sub">
          <h3>
            Attempt {i + 1}: {informalMethodLabel(a.method)}
          </h3>
          <dl className="facts">
            {a.method_description ? (
              <>
                <dt>Method agreed</dt>
                <dd>{a.method_description}</dd>
              </>
            ) : null}
            <dt>Held on</dt>
            <dd>{formatDate(a.held_on)}</dd>
            <dt>Ombudspersons</dt>
            <dd>{a.participants.map((p) => p.display_name).join(', ')}</dd>
            <dt>Proposal</dt>
            <dd className="pre">{a.proposal}</dd>
            <dt>Other party's answer</dt>
            <dd className="pre">{a.other_party_answer ?? '—'}</dd>
            <dt>Outcome</dt>
            <dd>{informalOutcomeLabel(a.outcome)}</dd>
          </dl>
          {canEdit && editing !== a.id ? (
            <button type="button" className="secondary" onClick={() => setEditing(a.id)}>
              Record the answer or outcome of attempt {i + 1}
            </button>
          ) : null}
          {editing === a.id ? <UpdateAttemptFormWrapper attempt={a} onDone={() => setEditing(null)} /> : null}
        </article>
      ))}
    </section>
  );
}

function UpdateAttemptFormWrapper({ attempt, onDone }: { attempt: Parameters<typeof UpdateAttemptForm>[0]['attempt']; onDone(): void }) {
  const ctx = useComplaintCtx();
  return (
    <SubContext onDone={onDone} ctx={ctx}>
      <UpdateAttemptForm attempt={attempt} />
    </SubContext>
  );
}

/** A form inside a section closes itself rather than the page's step panel. */
function SubContext({ ctx, onDone, children }: { ctx: ComplaintCtx; onDone(): void; children: ReactNode }) {
  return <ComplaintProvider value={{ ...ctx, closeStep: onDone }}>{children}</ComplaintProvider>;
}

async function download(id: string, attachmentId: string, filename: string) {
  const { data, error, response } = await api.GET('/api/complaints/{complaint_id}/attachments/{attachment_id}', {
    params: { path: { complaint_id: id, attachment_id: attachmentId } },
    parseAs: 'blob',
  });
  if (!response.ok || !data) throw toApiError(error, response);
  const url = URL.createObjectURL(data as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function LetterSection() {
  const { id } = useComplaintCtx();
  const letter = useLetter(id);
  const attachments = useAttachments(id);
  const [error, setError] = useState<unknown>(null);
  const l = letter.data;
  return (
    <section className="panel" aria-labelledby="letter">
      <h2 id="letter">The letter (4.3.1(i))</h2>
      {letter.isPending ? <Loading what="the letter" /> : null}
      {l ? (
        <>
          <p>
            {l.complete ? <span className="badge badge-ok">Complete</span> : <span className="badge badge-overdue">Incomplete</span>}
            {!l.complete && l.missing.length ? <> Still lacks: {letterPartsInWords(l.missing)}.</> : null}
          </p>
          <dl className="facts">
            <dt>What took place</dt>
            <dd className="pre">{l.what_took_place ?? '—'}</dd>
            <dt>When</dt>
            <dd>{l.when_it_took_place ?? '—'}</dd>
            <dt>Date and time</dt>
            <dd>{l.occurred_at ? formatDateTime(l.occurred_at) : '—'}</dd>
            <dt>Witnesses</dt>
            <dd className="pre">{l.witnesses ?? '—'}</dd>
            <dt>Resolution sought</dt>
            <dd className="pre">{l.resolution_sought ?? '—'}</dd>
            <dt>Signed on</dt>
            <dd>{formatDate(l.signed_on)}</dd>
          </dl>
        </>
      ) : null}
      <h3>Attachments</h3>
      <ProblemAlert error={error} />
      {attachments.data?.length ? (
        <ul>
          {attachments.data.map((a) => (
            <li key={a.id}>
              <button type="button" className="link" onClick={() => void download(id, a.id, a.filename).catch(setError)}>
                {a.filename}
              </button>{' '}
              <span className="muted">
                ({a.purpose === 'signed_letter' ? 'signed letter' : 'document'}, {Math.ceil(a.size / 1024)} KB, {formatDateTime(a.uploaded_at)})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No attachment.</Empty>
      )}
    </section>
  );
}

export function ResponseSection() {
  const { id } = useComplaintCtx();
  const status = useResponseStatus(id);
  const s = status.data;
  return (
    <section className="panel" aria-labelledby="response">
      <h2 id="response">The other party's written response (4.3.1(ii))</h2>
      {status.isPending ? <Loading what="the response" /> : null}
      {s && !s.reviewed_on ? <Empty>The review with the other party is not recorded yet.</Empty> : null}
      {s?.reviewed_on ? (
        <dl className="facts">
          <dt>Reviewed on</dt>
          <dd>{formatDate(s.reviewed_on)}</dd>
          <dt>Due</dt>
          <dd>{s.due_on ? <DueDate dueOn={s.due_on} overdue={s.flag === 'missing'} /> : '—'}</dd>
          {s.explanation ? (
            <>
              <dt>How it was computed</dt>
              <dd>{s.explanation}</dd>
            </>
          ) : null}
          <dt>Status</dt>
          <dd>{responseFlagLabel(s.flag)}</dd>
          <dt>Received on</dt>
          <dd>{formatDate(s.received_on)}</dd>
        </dl>
      ) : null}
    </section>
  );
}

export function CommitteeSection() {
  const { id, parts } = useComplaintCtx();
  const committee = useCommittee(id);
  const eligibility = useEligibility(id, parts.has('intake') || parts.has('handler'));
  const c = committee.data;
  const e = eligibility.data;
  return (
    <section className="panel" aria-labelledby="crc">
      <h2 id="crc">Complaint Review Committee (4.3.1(v))</h2>
      {c ? (
        <>
          <p>Struck on {formatDate(c.struck_on)}.</p>
          <ul>
            {c.members.map((m) => (
              <li key={m.user_id}>
                Seat {m.seat}: {m.display_name}
              </li>
            ))}
            {c.staff_resource ? (
              <li>
                Staff resource: {c.staff_resource.display_name} ({staffKindLabel(c.staff_resource.kind)})
              </li>
            ) : null}
          </ul>
        </>
      ) : committee.data === null ? (
        <Empty>The CRC has not been struck yet.</Empty>
      ) : null}
      {e ? (
        <>
          <h3>Who may sit on it</h3>
          <p>
            {e.eligible_count} of {e.ombudspersons.length} ombudspersons are eligible for {e.seats} seats
            {e.eligible_count < e.seats ? ': too few to strike a CRC.' : '.'}
          </p>
          <div className="table-wrap">
            <table>
              <caption>Eligibility, with every reason</caption>
              <thead>
                <tr>
                  <th scope="col">Ombudsperson</th>
                  <th scope="col">Eligible</th>
                  <th scope="col">Why not</th>
                </tr>
              </thead>
              <tbody>
                {e.ombudspersons.map((o) => (
                  <tr key={o.user_id}>
                    <th scope="row">{o.display_name}</th>
                    <td>{o.eligible ? <span className="badge badge-ok">Eligible</span> : <span className="badge badge-muted">Not eligible</span>}</td>
                    <td>{o.reasons.map(exclusionLabel).join('; ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>Eligible staff resources: {e.staff_resources.map((s) => `${s.display_name} (${staffKindLabel(s.kind)})`).join('; ') || 'none'}</p>
        </>
      ) : null}
    </section>
  );
}

export function InvestigationSection() {
  const { id } = useComplaintCtx();
  const entries = useEntries(id);
  return (
    <section className="panel" aria-labelledby="investigation">
      <h2 id="investigation">Investigation log (4.3.1(vi))</h2>
      {entries.isPending ? <Loading what="the investigation" /> : null}
      {entries.data && !entries.data.length ? <Empty>No step recorded yet.</Empty> : null}
      {entries.data?.length ? (
        <ol>
          {entries.data.map((x) => (
            <li key={x.id}>
              <strong>{investigationKindLabel(x.kind)}</strong>, {formatDate(x.occurred_on)}
              <p className="pre">{x.notes}</p>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

export function ConclusionsSection() {
  const { id } = useComplaintCtx();
  const conclusions = useConclusions(id);
  const recommendations = useRecommendations(id);
  const disclosures = useDisclosures(id);
  const c = conclusions.data;
  return (
    <section className="panel" aria-labelledby="conclusions">
      <h2 id="conclusions">Findings and conclusions (4.3.1(viii)–(x))</h2>
      {c ? (
        <dl className="facts">
          <dt>Finding</dt>
          <dd>{c.finding ? `${findingLabel(c.finding)}, ${formatDate(c.findings_on)}` : 'Not yet'}</dd>
          {c.findings_text ? (
            <>
              <dt>Findings</dt>
              <dd className="pre">{c.findings_text}</dd>
            </>
          ) : null}
          {c.crc_report ? (
            <>
              <dt>CRC report due</dt>
              <dd>
                <DueDate dueOn={c.crc_report.due_on} overdue={c.crc_report.overdue} />
              </dd>
            </>
          ) : null}
          <dt>Member-complainant told</dt>
          <dd>{formatDate(c.complainant_told_conclusions_on)}</dd>
          <dt>Other party told</dt>
          <dd>{formatDate(c.other_party_told_conclusions_on)}</dd>
          {c.referred_to_charge_on ? (
            <>
              <dt>Not satisfied; referred to a charge</dt>
              <dd>{formatDate(c.referred_to_charge_on)}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <h3>Recommendations</h3>
      {recommendations.data?.length ? (
        <ul>
          {recommendations.data.map((r) => (
            <li key={r.id}>
              <strong>{recommendationKindLabel(r.kind)}</strong>: {r.text}{' '}
              <span className="muted">
                ({r.disclosure_id ? 'handed to the table officers' : 'not yet handed over'}; {recommendationStatusLabel(r.status)}
                {r.status_on ? ` ${formatDate(r.status_on)}` : ''}
                {r.status_note ? `: ${r.status_note}` : ''})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No recommendation.</Empty>
      )}
      <h3>Disclosures (5.1)</h3>
      {disclosures.data?.length ? (
        <ul>
          {disclosures.data.map((x) => (
            <li key={x.id}>
              {formatDateTime(x.disclosed_at)}: {disclosurePurposeLabel(x.purpose)} to {x.recipients.map((r) => r.recipient).join(', ')}. Why: {x.reason}
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No disclosure.</Empty>
      )}
    </section>
  );
}

function noticeState(n: PartyNotice): ReactNode {
  if (n.told_on) return `${formatDate(n.told_on)}, ${noticeMethodLabel(n.method)}`;
  if (n.waived_at) return `Waived ${formatDateTime(n.waived_at)}${n.waiver_reason ? `: ${n.waiver_reason}` : ''}`;
  return <span className="badge badge-overdue">Owed since {formatDateTime(n.owed_since)}</span>;
}

export function PartyNoticesSection() {
  const ctx = useComplaintCtx();
  const notices = usePartyNotices(ctx.id);
  const [open, setOpen] = useState<{ id: string; doing: 'tell' | 'waive' } | null>(null);
  const owed = notices.data?.filter((n) => n.owed) ?? [];
  const canTell = ctx.detail.allowed_actions.includes('record_party_notice');
  const canWaive = ctx.parts.has('handler');
  return (
    <section className="panel" aria-labelledby="notices">
      <h2 id="notices">Keeping the parties informed (4.3.1(vii))</h2>
      {notices.data && !notices.data.length ? <Empty>No notice is owed yet.</Empty> : null}
      {owed.length ? <p className="hint">The complaint cannot be closed or withdrawn while a notice is owed: record each party told, or waive the notice with the reason.</p> : null}
      {notices.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption>{owed.length ? `${owed.length} notice${owed.length === 1 ? '' : 's'} still owed` : 'Every notice told or waived'}</caption>
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Party</th>
                <th scope="col">Told</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {notices.data.map((n) => {
                const party = partyRoleLabel(n.party).toLowerCase();
                return (
                  <tr key={n.id}>
                    <th scope="row">{stageLabel(n.stage)}</th>
                    <td>{partyRoleLabel(n.party)}</td>
                    <td>{noticeState(n)}</td>
                    <td>
                      {n.owed && canTell ? (
                        <button type="button" className="secondary" onClick={() => setOpen({ id: n.id, doing: 'tell' })} aria-label={`Record the ${party} told of the stage ${stageLabel(n.stage)}`}>
                          Record told
                        </button>
                      ) : null}{' '}
                      {n.owed && canWaive ? (
                        <button type="button" className="secondary" onClick={() => setOpen({ id: n.id, doing: 'waive' })} aria-label={`Waive the notice to the ${party} of the stage ${stageLabel(n.stage)}`}>
                          Waive
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {open
        ? (() => {
            const n = notices.data?.find((x) => x.id === open.id);
            return n ? (
              <SubContext ctx={ctx} onDone={() => setOpen(null)}>
                {open.doing === 'tell' ? <PartyToldForm key={n.id} notice={n} /> : <PartyWaiveForm key={n.id} notice={n} />}
              </SubContext>
            ) : null;
          })()
        : null}
    </section>
  );
}
