// Correct the intake (handling ombudsperson, intake and informal stages): the same fields as
// the intake form, prefilled with the complaint as recorded; only the fields changed are sent.
// The draft is kept in memory through errors, a 412 and signing in again, until it is saved.
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/problem';
import { CheckboxGroup, TextArea, TextField } from '../../components/forms';
import { useDraft } from '../../lib/drafts';
import { changeArgs, useComplaintChange, useGrounds } from '../api';
import { StepForm, useComplaintCtx } from '../context';
import { IncidentList } from '../intake/IncidentFields';
import { WitnessList } from '../intake/PersonFields';
import { changedBody, checkCorrection, correctionFrom, type CorrectionDraft } from '../intake/correction';

export function CorrectIntakeStep() {
  const { id, detail } = useComplaintCtx();
  const grounds = useGrounds();
  // `from`: the complaint as it was when the form was filled in; `now`: the form as typed.
  const [state, setState, clearDraft] = useDraft(`intake-correction-${id}`, () => ({ from: correctionFrom(detail), now: correctionFrom(detail) }));
  const draft = state.now;
  const setDraft = (next: (d: CorrectionDraft) => CorrectionDraft) => setState((s) => ({ ...s, now: next(s.now) }));
  const set = <K extends keyof CorrectionDraft>(key: K, v: CorrectionDraft[K]) => setDraft((d) => ({ ...d, [key]: v }));
  const m = useComplaintChange(id, async ({ from, now: c }: { from: CorrectionDraft; now: CorrectionDraft }, ifMatch: string) => {
    const missing = checkCorrection(c);
    if (Object.keys(missing).length) {
      throw new ApiError(422, {
        title: 'Some entries are missing',
        status: 422,
        detail: 'Nothing was saved: complete these entries first.',
        errors: Object.entries(missing).map(([field, message]) => ({ field, rule: 'required', message })),
      });
    }
    const body = changedBody(from, c);
    if (!Object.keys(body).length) {
      throw new ApiError(422, { title: 'Nothing to save', status: 422, detail: 'Nothing was changed in the form: there is nothing to save.' });
    }
    const saved = await unwrap(api.PATCH('/api/complaints/{complaint_id}/intake', { ...changeArgs(id, ifMatch), body }));
    clearDraft();
    return saved;
  });
  return (
    <StepForm
      title="Correct the intake"
      intro="Correct the witnesses, the incidents, the grounds, the resolution sought and the other routes told of. The member-complainant and the other party cannot be changed here."
      submitLabel="Save the corrections"
      mutation={m}
      values={() => state}
    >
      {(errors) => (
        <>
          <h4>Witnesses</h4>
          {draft.witnesses.length ? null : <p className="hint">No witness is recorded.</p>}
          <WitnessList value={draft.witnesses} onChange={(witnesses) => set('witnesses', witnesses)} errors={errors} />
          <h4>Incidents</h4>
          <IncidentList value={draft.incidents} onChange={(incidents) => set('incidents', incidents)} errors={errors} />
          <CheckboxGroup
            label="Protected characteristics involved, if any (2.2, optional)"
            options={(grounds.data ?? []).map((g) => ({ value: g.code, label: g.label }))}
            value={draft.grounds}
            onChange={(v) => set('grounds', v)}
            error={errors.grounds}
          />
          <TextArea label="Resolution the member seeks" value={draft.resolutionSought} onChange={(e) => set('resolutionSought', e.target.value)} error={errors.resolution_sought} required />
          <div className="field choice">
            <input id={`correct-told-${id}`} type="checkbox" checked={draft.toldOtherRoutes} onChange={(e) => set('toldOtherRoutes', e.target.checked)} />
            <label htmlFor={`correct-told-${id}`}> The member was told of other routes (CUPE Constitution, Human Rights Code, other law) (1.4)</label>
          </div>
          {draft.toldOtherRoutes ? (
            <TextField label="Told of other routes on" type="date" value={draft.otherRoutesToldOn} onChange={(e) => set('otherRoutesToldOn', e.target.value)} error={errors.other_routes_told_on} required />
          ) : null}
          <div className="actions">
            <button type="button" className="link" onClick={() => setState({ from: correctionFrom(detail), now: correctionFrom(detail) })}>
              Start again from the complaint as now recorded
            </button>
          </div>
        </>
      )}
    </StepForm>
  );
}
