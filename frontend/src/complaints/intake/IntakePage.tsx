import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { FromConsultation } from '../../consultations/ConsultationPage';
import { CheckboxGroup, RadioGroup, TextArea, TextField } from '../../components/forms';
import { Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../../components/feedback';
import { useDraft } from '../../lib/drafts';
import { formatDate, todayInWinnipeg } from '../../lib/dates';
import { categoryLabel, redirectionLabel, settingLabel } from '../../lib/labels';
import { useCreateComplaint, useGrounds } from '../api';
import { STEPS, checkStep, newDraft, stepOfField, toBody, type IntakeDraft, type PersonDraft } from './model';
import { PersonFields, WitnessList } from './PersonFields';
import { IncidentList } from './IncidentFields';

function personText(p: PersonDraft): string {
  if (p.kind === 'member' && p.member) return `${p.member.full_name} (${p.member.member_number})`;
  return p.fullName ? `${p.fullName} (outside the directory)` : '—';
}

export default function IntakePage() {
  const [draft, setDraft, clearDraft] = useDraft<IntakeDraft>('intake', newDraft);
  const [step, setStep] = useState(0);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useCreateComplaint();
  const grounds = useGrounds();
  const navigate = useNavigate();
  const top = useRef<HTMLDivElement>(null);
  const location = useLocation();
  const from = (location.state as { consultation?: FromConsultation } | null)?.consultation;
  const errors = { ...fieldErrorsOf(create.error), ...localErrors };
  const set = <K extends keyof IntakeDraft>(key: K, v: IntakeDraft[K]) => setDraft((d) => ({ ...d, [key]: v }));

  // Taken in from a consultation (4.1): linked to it, its member as the member-complainant.
  const linked = useRef<string | null>(null);
  useEffect(() => {
    if (!from || linked.current === from.id) return;
    linked.current = from.id;
    setDraft((d) =>
      d.consultation?.id === from.id
        ? d
        : {
            ...d,
            consultation: { id: from.id, heldOn: from.heldOn },
            complainant: from.memberId
              ? { kind: 'member', member: { id: from.memberId, full_name: from.fullName, member_number: '', unit_id: from.unitId ?? '' }, fullName: '', contact: '' }
              : { kind: 'outside', member: null, fullName: from.fullName, contact: '' },
          },
    );
  }, [from, setDraft]);

  function go(to: number) {
    setStep(to);
    top.current?.focus();
  }

  async function next(e: FormEvent) {
    e.preventDefault();
    const found = checkStep(step, draft);
    setLocalErrors(found);
    if (Object.keys(found).length) return;
    if (step < STEPS.length - 1) {
      go(step + 1);
      return;
    }
    try {
      const created = await create.mutateAsync(toBody(draft));
      clearDraft();
      navigate(`/complaints/${created.data.id}`, { state: { filed: true } });
    } catch (err) {
      const fields = Object.keys(fieldErrorsOf(err));
      if (fields.length) go(Math.min(...fields.map(stepOfField)));
    }
  }

  let body: ReactNode;
  if (step === 0) {
    body = (
      <>
        <TextField label="Received on" type="date" value={draft.receivedOn} onChange={(e) => set('receivedOn', e.target.value)} error={errors.received_on} required />
        <RadioGroup
          label="Where did the conduct take place? (1.3 scope)"
          hint="Member-to-member conduct at a Local 500 event, or where the member acts for Local 500, is in scope. Workplace harassment is not."
          options={(['local_500_event', 'acting_for_local_500', 'workplace'] as const).map((s) => ({ value: s, label: settingLabel(s) }))}
          value={draft.setting}
          onChange={(v) => set('setting', v)}
          error={errors.setting}
          required
        />
        {draft.setting === 'workplace' ? (
          <>
            <Notice tone="warning">
              Workplace harassment is out of scope (1.3): the record will close as redirected, on the day given
              below (today if none), and go no further.
            </Notice>
            <RadioGroup
              label="Redirected to"
              options={(['grievance_procedure', 'respectful_workplace_policy'] as const).map((r) => ({ value: r, label: redirectionLabel(r) }))}
              value={draft.redirectedTo}
              onChange={(v) => set('redirectedTo', v)}
              error={errors.redirected_to}
              required
            />
            <TextField
              label="Date it happened (optional)"
              hint="The day the member was redirected, if not today; not before the day the complaint was received."
              type="date"
              max={todayInWinnipeg()}
              value={draft.redirectedOn}
              onChange={(e) => set('redirectedOn', e.target.value)}
              error={errors.redirected_on}
            />
          </>
        ) : null}
        <div className="field choice">
          <input id="told-other-routes" type="checkbox" checked={draft.toldOtherRoutes} onChange={(e) => set('toldOtherRoutes', e.target.checked)} />
          <label htmlFor="told-other-routes"> The member was told of other routes (CUPE Constitution, Human Rights Code, other law) (1.4)</label>
        </div>
        {draft.toldOtherRoutes ? (
          <TextField label="Told on" type="date" value={draft.otherRoutesToldOn} onChange={(e) => set('otherRoutesToldOn', e.target.value)} error={errors.other_routes_told_on} required />
        ) : null}
      </>
    );
  } else if (step === 1) {
    body = (
      <>
        <PersonFields legend="Member-complainant" value={draft.complainant} onChange={(p) => set('complainant', p)} error={errors.complainant} />
        <PersonFields legend="Other party" value={draft.otherParty} onChange={(p) => set('otherParty', p)} error={errors.other_party} />
        <WitnessList value={draft.witnesses} onChange={(witnesses) => set('witnesses', witnesses)} errors={errors} />
      </>
    );
  } else if (step === 2) {
    body = <IncidentList value={draft.incidents} onChange={(incidents) => set('incidents', incidents)} errors={errors} />;
  } else if (step === 3) {
    body = (
      <>
        <CheckboxGroup
          label="Protected characteristics involved, if any (2.2, optional)"
          hint="From the Manitoba Human Rights Code."
          options={(grounds.data ?? []).map((g) => ({ value: g.code, label: g.label }))}
          value={draft.grounds}
          onChange={(v) => set('grounds', v)}
          error={errors.grounds}
        />
        <TextArea label="Resolution the member seeks" value={draft.resolutionSought} onChange={(e) => set('resolutionSought', e.target.value)} error={errors.resolution_sought} required />
      </>
    );
  } else {
    body = (
      <dl className="facts">
        {draft.consultation ? (
          <>
            <dt>From the consultation of</dt>
            <dd>{formatDate(draft.consultation.heldOn)}</dd>
          </>
        ) : null}
        <dt>Received on</dt>
        <dd>{formatDate(draft.receivedOn)}</dd>
        <dt>Where</dt>
        <dd>{settingLabel(draft.setting)}</dd>
        {draft.setting === 'workplace' ? (
          <>
            <dt>Redirected to</dt>
            <dd>{redirectionLabel(draft.redirectedTo)}</dd>
          </>
        ) : null}
        <dt>Told of other routes</dt>
        <dd>{draft.toldOtherRoutes ? formatDate(draft.otherRoutesToldOn) : 'No'}</dd>
        <dt>Member-complainant</dt>
        <dd>{personText(draft.complainant)}</dd>
        <dt>Other party</dt>
        <dd>{personText(draft.otherParty)}</dd>
        <dt>Witnesses</dt>
        <dd>{draft.witnesses.length ? draft.witnesses.map(personText).join('; ') : 'None'}</dd>
        <dt>Incidents</dt>
        <dd>
          <ol>
            {draft.incidents.map((i) => (
              <li key={i.key}>
                {formatDate(i.occurredOn)}
                {i.occurredAt ? ` at ${i.occurredAt}` : ''}, {i.location}: {i.categories.map(categoryLabel).join(', ')}
              </li>
            ))}
          </ol>
        </dd>
        <dt>Grounds (2.2)</dt>
        <dd>{draft.grounds.length ? draft.grounds.map((g) => grounds.data?.find((x) => x.code === g)?.label ?? g).join(', ') : 'None'}</dd>
        <dt>Resolution sought</dt>
        <dd>{draft.resolutionSought}</dd>
      </dl>
    );
  }

  return (
    <>
      <PageHeading title="New complaint">Take in a complaint</PageHeading>
      {draft.consultation ? (
        <Notice>
          Taken in from your consultation of {formatDate(draft.consultation.heldOn)}.{' '}
          <button type="button" className="link" onClick={() => set('consultation', null)}>
            Do not link it
          </button>
        </Notice>
      ) : null}
      <nav aria-label="Intake steps">
        <ol className="wizard-steps">
          {STEPS.map((s, i) => (
            <li key={s} aria-current={i === step ? 'step' : undefined}>
              {i < step ? (
                <button type="button" className="link" onClick={() => go(i)}>
                  {i + 1}. {s}
                </button>
              ) : (
                <>
                  {i + 1}. {s}
                </>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div tabIndex={-1} ref={top}>
        <h2>
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
      </div>
      <ProblemAlert error={create.error} />
      <form onSubmit={(e) => void next(e)} noValidate aria-label={STEPS[step]}>
        {Object.keys(localErrors).length ? (
          <div className="problem" role="alert">
            <p className="problem-title">Some entries are missing</p>
            <ul>
              {Object.values(localErrors).map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {body}
        <div className="actions">
          {step > 0 ? (
            <button type="button" className="secondary" onClick={() => go(step - 1)}>
              Back
            </button>
          ) : null}
          <button type="submit" disabled={create.isPending}>
            {step < STEPS.length - 1 ? 'Next' : create.isPending ? 'Filing…' : 'File the complaint'}
          </button>
        </div>
      </form>
      <p className="hint">What you type is kept in this tab until you file it, even if you have to sign in again.</p>
    </>
  );
}
