import { useState } from 'react';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { RadioGroup, SelectField, TextArea, TextField } from '../../components/forms';
import { Loading } from '../../components/feedback';
import { todayInWinnipeg } from '../../lib/dates';
import { formalRouteLabel, letterPartsInWords } from '../../lib/labels';
import { changeArgs, useComplaintChange } from '../api';
import { StepForm, useComplaintCtx } from '../context';
import { useLetter, type Letter } from '../procedure';

export function ChooseRouteStep() {
  const { id } = useComplaintCtx();
  const [route, setRoute] = useState<Schemas['FormalRoute'] | ''>('');
  const [chosenOn, setChosenOn] = useState(todayInWinnipeg());
  const m = useComplaintChange(id, (body: Schemas['RouteIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/formal-route', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm
      title="Go formal: the route the member chose (4.3.1)"
      intro="A CUPE constitutional charge closes the record here as referred; this Local 500 procedure goes on to the signed letter."
      submitLabel="Record the route"
      mutation={m}
      values={() => ({ route: route as Schemas['FormalRoute'], chosen_on: chosenOn })}
    >
      {(errors) => (
        <>
          <RadioGroup<Schemas['FormalRoute']> label="Route chosen" options={(['local_500_procedure', 'cupe_constitutional_charge'] as const).map((r) => ({ value: r, label: formalRouteLabel(r) }))} value={route} onChange={setRoute} error={errors.route} required />
          <TextField label="Chosen on" type="date" value={chosenOn} onChange={(e) => setChosenOn(e.target.value)} error={errors.chosen_on} required />
        </>
      )}
    </StepForm>
  );
}

function LetterForm({ letter }: { letter: Letter }) {
  const { id } = useComplaintCtx();
  const [what, setWhat] = useState(letter.what_took_place ?? '');
  const [when, setWhen] = useState(letter.when_it_took_place ?? '');
  const [occurredAt, setOccurredAt] = useState(letter.occurred_at ? letter.occurred_at.slice(0, 16) : '');
  const [witnesses, setWitnesses] = useState(letter.witnesses ?? '');
  const [resolution, setResolution] = useState(letter.resolution_sought ?? '');
  const [signedOn, setSignedOn] = useState(letter.signed_on ?? '');
  const m = useComplaintChange(id, (body: Schemas['LetterIn'], ifMatch: string) =>
    unwrap(api.PUT('/api/complaints/{complaint_id}/letter', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm
      title="The signed letter (4.3.1(i))"
      intro="A detailed, signed letter: what took place, when, the date and time, the witnesses' names, and the resolution sought. Save a draft at any time; complete it once signed."
      submitLabel="Save the letter"
      mutation={m}
      values={() => ({
        what_took_place: what || null,
        when_it_took_place: when || null,
        occurred_at: occurredAt ? `${occurredAt}:00` : null,
        witnesses: witnesses || null,
        resolution_sought: resolution || null,
        signed_on: signedOn || null,
      })}
    >
      {(errors) => (
        <>
          <TextArea label="What took place" value={what} onChange={(e) => setWhat(e.target.value)} error={errors.what_took_place} rows={8} />
          <TextField label="When it took place" value={when} onChange={(e) => setWhen(e.target.value)} error={errors.when_it_took_place} hint="In the member's words, e.g. 'at the general meeting'" />
          <TextField label="Date and time (Winnipeg time)" type="datetime-local" value={occurredAt} onChange={(e) => setOccurredAt(e.target.value)} error={errors.occurred_at} />
          <TextArea label="Witnesses' names (or that there were none)" value={witnesses} onChange={(e) => setWitnesses(e.target.value)} error={errors.witnesses} />
          <TextArea label="Resolution sought" value={resolution} onChange={(e) => setResolution(e.target.value)} error={errors.resolution_sought} />
          <TextField label="Signed on" type="date" value={signedOn} onChange={(e) => setSignedOn(e.target.value)} error={errors.signed_on} />
        </>
      )}
    </StepForm>
  );
}

export function LetterStep() {
  const { id } = useComplaintCtx();
  const letter = useLetter(id);
  if (!letter.data) return <Loading what="the letter" />;
  return <LetterForm letter={letter.data} />;
}

export function CompleteLetterStep() {
  const { id } = useComplaintCtx();
  const letter = useLetter(id);
  const m = useComplaintChange(id, (_: null, ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/letter/complete', changeArgs(id, ifMatch))),
  );
  const missing = letter.data?.missing ?? [];
  return (
    <StepForm
      title="Complete the signed letter (4.3.1(i))"
      intro={missing.length ? `The letter still lacks: ${letterPartsInWords(missing)}.` : 'The letter has every part. Completing it moves the complaint to the review with the other party.'}
      submitLabel="Complete the letter"
      mutation={m}
      values={() => null}
    />
  );
}

export function AttachStep() {
  const { id } = useComplaintCtx();
  const [file, setFile] = useState<File | null>(null);
  const [purpose, setPurpose] = useState<'signed_letter' | 'document'>('signed_letter');
  const m = useComplaintChange(id, (v: { file: File; purpose: 'signed_letter' | 'document' }, ifMatch: string) =>
    unwrap(
      api.POST('/api/complaints/{complaint_id}/attachments', {
        ...changeArgs(id, ifMatch),
        body: { file: v.file as unknown as string, purpose: v.purpose },
        bodySerializer: () => {
          const form = new FormData();
          form.append('file', v.file, v.file.name);
          form.append('purpose', v.purpose);
          return form;
        },
      }),
    ),
  );
  return (
    <StepForm title="Attach a document" intro="PDF, PNG or JPEG." submitLabel="Attach" mutation={m} values={() => ({ file: file as File, purpose })}>
      {(errors) => (
        <>
          <div className={errors.file ? 'field has-error' : 'field'}>
            <label htmlFor="attachment-file">File</label>
            {errors.file ? <p className="field-error">{errors.file}</p> : null}
            <input id="attachment-file" type="file" accept="application/pdf,image/png,image/jpeg" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
          </div>
          <SelectField
            label="What it is"
            options={[
              { value: 'signed_letter', label: 'The signed letter' },
              { value: 'document', label: 'Another document' },
            ]}
            value={purpose}
            onChange={(e) => setPurpose(e.target.value as 'signed_letter' | 'document')}
          />
        </>
      )}
    </StepForm>
  );
}

export function OtherPartyReviewStep() {
  const { id } = useComplaintCtx();
  const [on, setOn] = useState(todayInWinnipeg());
  const m = useComplaintChange(id, (body: Schemas['OtherPartyReviewIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/other-party-review', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm
      title="Review with the other party (4.3.1(ii))"
      intro="The other party is asked to answer in writing within the response period; the due date is computed from the day after."
      submitLabel="Record the review"
      mutation={m}
      values={() => ({ reviewed_on: on })}
    >
      {(errors) => <TextField label="Reviewed with the other party on" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.reviewed_on} required />}
    </StepForm>
  );
}

export function ResponseStep() {
  const { id } = useComplaintCtx();
  const [on, setOn] = useState(todayInWinnipeg());
  const [text, setText] = useState('');
  const m = useComplaintChange(id, (body: Schemas['ResponseIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/response', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="The other party's written response (4.3.1(ii))" submitLabel="Record the response" mutation={m} values={() => ({ received_on: on, text })}>
      {(errors) => (
        <>
          <TextField label="Received on" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.received_on} required />
          <TextArea label="The response" value={text} onChange={(e) => setText(e.target.value)} error={errors.text} rows={8} required />
        </>
      )}
    </StepForm>
  );
}

export function NotifyOfficersStep() {
  const { id } = useComplaintCtx();
  const [on, setOn] = useState('');
  const m = useComplaintChange(id, (body: Schemas['TableOfficerNoticeIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/notify-table-officers', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm
      title="Tell the table officers (4.3.1(iii))"
      intro="They learn only the case reference: that a complaint exists and a CRC must be struck. Do it as soon as possible."
      submitLabel="Tell the table officers"
      mutation={m}
      values={() => ({ occurred_on: on || null })}
    >
      {(errors) => (
        <TextField
          label="Date it happened (optional)"
          hint="The day the table officers were told, if not today. Deadlines count from that day."
          type="date"
          max={todayInWinnipeg()}
          value={on}
          onChange={(e) => setOn(e.target.value)}
          error={errors.occurred_on}
        />
      )}
    </StepForm>
  );
}
