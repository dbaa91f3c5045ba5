import { useState } from 'react';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { RadioGroup, SelectField, TextArea, TextField } from '../../components/forms';
import { todayInWinnipeg } from '../../lib/dates';
import {
  DISCLOSURE_PURPOSES,
  INVESTIGATION_KINDS,
  NOTICE_METHODS,
  RECOMMENDATION_KINDS,
  disclosurePurposeLabel,
  findingLabel,
  investigationKindLabel,
  noticeMethodLabel,
  recommendationKindLabel,
} from '../../lib/labels';
import { changeArgs, useComplaintChange } from '../api';
import { StepForm, useComplaintCtx } from '../context';
import { useConclusions, type PartyNotice } from '../procedure';

const methodOptions = NOTICE_METHODS.map((v) => ({ value: v, label: noticeMethodLabel(v) }));

export function EntryStep() {
  const { id } = useComplaintCtx();
  const [kind, setKind] = useState<Schemas['InvestigationKind']>('letter_review');
  const [on, setOn] = useState(todayInWinnipeg());
  const [notes, setNotes] = useState('');
  const m = useComplaintChange(id, (body: Schemas['InvestigationEntryIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/investigation', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="Record an investigation step (4.3.1(vi))" intro="The CRC reviews the letter and the response, and interviews the parties and, if needed, witnesses." submitLabel="Record the step" mutation={m} values={() => ({ kind, occurred_on: on, notes })}>
      {(errors) => (
        <>
          <SelectField label="Step" options={INVESTIGATION_KINDS.map((v) => ({ value: v, label: investigationKindLabel(v) }))} value={kind} onChange={(e) => setKind(e.target.value as Schemas['InvestigationKind'])} error={errors.kind} required />
          <TextField label="On" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.occurred_on} required />
          <TextArea label="Notes" value={notes} onChange={(e) => setNotes(e.target.value)} error={errors.notes} rows={6} required />
        </>
      )}
    </StepForm>
  );
}

export function FindingsStep() {
  const { id } = useComplaintCtx();
  const [finding, setFinding] = useState<Schemas['Finding'] | ''>('');
  const [text, setText] = useState('');
  const [on, setOn] = useState(todayInWinnipeg());
  const m = useComplaintChange(id, (body: Schemas['FindingsIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/findings', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="The findings (4.3.1(viii))" intro="If harassment is not found, the complaint is dismissed." submitLabel="Record the findings" mutation={m} values={() => ({ finding: finding as Schemas['Finding'], findings_text: text, findings_on: on })}>
      {(errors) => (
        <>
          <RadioGroup<Schemas['Finding']> label="Finding" options={(['harassment_found', 'harassment_not_found'] as const).map((v) => ({ value: v, label: findingLabel(v) }))} value={finding} onChange={setFinding} error={errors.finding} required />
          <TextArea label="The findings" value={text} onChange={(e) => setText(e.target.value)} error={errors.findings_text} rows={6} required />
          <TextField label="Decided on" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.findings_on} required />
        </>
      )}
    </StepForm>
  );
}

export function RecommendationStep() {
  const { id } = useComplaintCtx();
  const [kind, setKind] = useState<Schemas['RecommendationKind']>('apology');
  const [text, setText] = useState('');
  const m = useComplaintChange(id, (body: Schemas['RecommendationIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/recommendations', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="Add a recommendation (4.3.1(viii))" submitLabel="Add the recommendation" mutation={m} values={() => ({ kind, text })}>
      {(errors) => (
        <>
          <SelectField label="Kind" options={RECOMMENDATION_KINDS.map((v) => ({ value: v, label: recommendationKindLabel(v) }))} value={kind} onChange={(e) => setKind(e.target.value as Schemas['RecommendationKind'])} error={errors.kind} required />
          <TextArea label="The recommendation" value={text} onChange={(e) => setText(e.target.value)} error={errors.text} required hint="The table officers will read this text to implement it: say what to do, not who did what." />
        </>
      )}
    </StepForm>
  );
}

export function DiscloseStep() {
  const { id } = useComplaintCtx();
  const conclusions = useConclusions(id);
  const [reason, setReason] = useState('Corrective action: the table officers implement the recommendations (4.3.1(viii)).');
  const m = useComplaintChange(id, (body: Schemas['DisclosureRecommendationsIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/recommendations/disclose', { ...changeArgs(id, ifMatch), body })),
  );
  const count = conclusions.data?.undisclosed_recommendations;
  return (
    <StepForm
      title="Hand the recommendations to the table officers (5.1)"
      intro={`This is a recorded disclosure for corrective action. ${count !== undefined ? `${count} recommendation${count === 1 ? '' : 's'} not yet handed over.` : ''}`}
      submitLabel="Hand them over"
      mutation={m}
      values={() => ({ reason })}
    >
      {(errors) => <TextArea label="Reason for the disclosure" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required />}
    </StepForm>
  );
}

export function TellConclusionsStep() {
  const { id } = useComplaintCtx();
  const conclusions = useConclusions(id);
  const complainantTold = !!conclusions.data?.complainant_told_conclusions_on;
  const [on, setOn] = useState(todayInWinnipeg());
  const [method, setMethod] = useState<Schemas['NoticeMethod']>('in_person');
  const party: Schemas['ConclusionParty'] = complainantTold ? 'other_party' : 'complainant';
  const m = useComplaintChange(id, (body: Schemas['ConclusionsToldIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/conclusions/told', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm
      title={complainantTold ? 'The other party told the conclusions (4.3.1(ix))' : 'The member-complainant told the conclusions (4.3.1(ix))'}
      intro="The member-complainant is told first, then the other party."
      submitLabel="Record it"
      mutation={m}
      values={() => ({ party, told_on: on, method })}
    >
      {(errors) => (
        <>
          <TextField label="Told on" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.told_on} required />
          <SelectField label="How" options={methodOptions} value={method} onChange={(e) => setMethod(e.target.value as Schemas['NoticeMethod'])} error={errors.method} required />
        </>
      )}
    </StepForm>
  );
}

export function NotSatisfiedStep() {
  const { id } = useComplaintCtx();
  const [notSatisfiedOn, setNotSatisfiedOn] = useState(todayInWinnipeg());
  const [referredOn, setReferredOn] = useState(todayInWinnipeg());
  const m = useComplaintChange(id, (body: Schemas['NotSatisfiedIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/not-satisfied', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="Not satisfied: referral to a constitutional charge (4.3.1(x))" submitLabel="Record the referral" mutation={m} values={() => ({ complainant_not_satisfied_on: notSatisfiedOn, referred_to_charge_on: referredOn })}>
      {(errors) => (
        <>
          <TextField label="The member-complainant said they were not satisfied on" type="date" value={notSatisfiedOn} onChange={(e) => setNotSatisfiedOn(e.target.value)} error={errors.complainant_not_satisfied_on} required />
          <TextField label="Referred to a constitutional charge on" type="date" value={referredOn} onChange={(e) => setReferredOn(e.target.value)} error={errors.referred_to_charge_on} required />
        </>
      )}
    </StepForm>
  );
}

export function CloseStep() {
  const { id } = useComplaintCtx();
  const m = useComplaintChange(id, (_: null, ifMatch: string) => unwrap(api.POST('/api/complaints/{complaint_id}/close', changeArgs(id, ifMatch))));
  return <StepForm title="Close the complaint" intro="Once both parties were told the conclusions (4.3.1(ix)), and every notice owed to a party was told or waived (4.3.1(vii))." submitLabel="Close the complaint" mutation={m} values={() => null} />;
}

export function DisclosureStep() {
  const { id } = useComplaintCtx();
  const [purpose, setPurpose] = useState<Schemas['DisclosurePurpose']>('investigation');
  const [reason, setReason] = useState('');
  const [recipient, setRecipient] = useState('');
  const [content, setContent] = useState('');
  const m = useComplaintChange(id, (body: Schemas['DisclosureIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/disclosures', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="Record a disclosure outside the roles (5.1)" intro="Names and circumstances leave the roles only for investigation, corrective action, or where the law requires it." submitLabel="Record the disclosure" mutation={m} values={() => ({ purpose, reason, recipient, content })}>
      {(errors) => (
        <>
          <SelectField label="Purpose" options={DISCLOSURE_PURPOSES.map((v) => ({ value: v, label: disclosurePurposeLabel(v) }))} value={purpose} onChange={(e) => setPurpose(e.target.value as Schemas['DisclosurePurpose'])} error={errors.purpose} required />
          <TextField label="To whom" value={recipient} onChange={(e) => setRecipient(e.target.value)} error={errors.recipient} required />
          <TextArea label="Why" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required />
          <TextArea label="What was disclosed" value={content} onChange={(e) => setContent(e.target.value)} error={errors.content} required />
        </>
      )}
    </StepForm>
  );
}

export function PartyToldForm({ notice }: { notice: PartyNotice }) {
  const { id } = useComplaintCtx();
  const [on, setOn] = useState(todayInWinnipeg());
  const [method, setMethod] = useState<Schemas['NoticeMethod']>('phone');
  const m = useComplaintChange(id, (body: Schemas['PartyToldIn'], ifMatch: string) =>
    unwrap(
      api.POST('/api/complaints/{complaint_id}/party-notices/{notice_id}/told', {
        params: { path: { complaint_id: id, notice_id: notice.id }, header: { 'If-Match': ifMatch } },
        body,
      }),
    ),
  );
  return (
    <StepForm title="Record the party told (4.3.1(vii))" submitLabel="Record it" mutation={m} values={() => ({ told_on: on, method })}>
      {(errors) => (
        <>
          <TextField label="Told on" type="date" value={on} onChange={(e) => setOn(e.target.value)} error={errors.told_on} required />
          <SelectField label="How" options={methodOptions} value={method} onChange={(e) => setMethod(e.target.value as Schemas['NoticeMethod'])} error={errors.method} required />
        </>
      )}
    </StepForm>
  );
}

/** 4.3.1(vii): the handling ombudsperson records why a party will not be told of a stage. */
export function PartyWaiveForm({ notice }: { notice: PartyNotice }) {
  const { id } = useComplaintCtx();
  const [reason, setReason] = useState('');
  const m = useComplaintChange(id, (body: Schemas['PartyNoticeWaiverIn'], ifMatch: string) =>
    unwrap(
      api.POST('/api/complaints/{complaint_id}/party-notices/{notice_id}/waive', {
        params: { path: { complaint_id: id, notice_id: notice.id }, header: { 'If-Match': ifMatch } },
        body,
      }),
    ),
  );
  return (
    <StepForm
      title="Waive the notice (4.3.1(vii))"
      intro="Record why this party will not be told of this stage, e.g. the complaint was withdrawn before they were ever contacted. The reason stays with the complaint."
      submitLabel="Waive the notice"
      mutation={m}
      values={() => ({ reason })}
    >
      {(errors) => <TextArea label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required />}
    </StepForm>
  );
}
