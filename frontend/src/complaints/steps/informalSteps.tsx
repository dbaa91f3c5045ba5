import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CheckboxGroup, RadioGroup, SelectField, TextArea, TextField } from '../../components/forms';
import { todayInWinnipeg } from '../../lib/dates';
import { INFORMAL_METHODS, INFORMAL_OUTCOMES, informalMethodLabel, informalOutcomeLabel } from '../../lib/labels';
import { useSession } from '../../auth/session';
import { changeArgs, useComplaintChange } from '../api';
import { StepForm, useComplaintCtx } from '../context';
import type { Attempt } from '../procedure';

/** The ombudspersons seated today, to say who took part in an attempt (4.2.1). */
function useOmbudspersons() {
  return useQuery({ queryKey: ['roster'], queryFn: () => unwrap(api.GET('/api/roster')), staleTime: 300_000 });
}

export function RecordAttemptStep() {
  const { id } = useComplaintCtx();
  const { me } = useSession();
  const roster = useOmbudspersons();
  const [method, setMethod] = useState<Schemas['InformalMethod'] | ''>('');
  const [description, setDescription] = useState('');
  const [heldOn, setHeldOn] = useState(todayInWinnipeg());
  const [participants, setParticipants] = useState<string[]>(me ? [me.id] : []);
  const [proposal, setProposal] = useState('');
  const [answer, setAnswer] = useState('');
  const [outcome, setOutcome] = useState<Schemas['InformalOutcome']>('pending');
  const m = useComplaintChange(id, (body: Schemas['AttemptCreate'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/informal-attempts', { ...changeArgs(id, ifMatch), body })),
  );
  const people = (roster.data ?? []).flatMap((s) => (s.current_term ? [{ value: s.current_term.user_id, label: `${s.current_term.display_name} (${s.unit.code})` }] : []));
  return (
    <StepForm
      title="Record an informal attempt (4.2.1)"
      intro="Every ombudsperson who took part is recorded: none of them may later sit on the CRC (4.3.1(v))."
      submitLabel="Record the attempt"
      mutation={m}
      values={() => ({
        method: method as Schemas['InformalMethod'],
        method_description: method === 'other_agreed_method' && description ? description : null,
        held_on: heldOn,
        participant_ids: participants,
        proposal,
        other_party_answer: answer || null,
        outcome,
      })}
    >
      {(errors) => (
        <>
          <RadioGroup<Schemas['InformalMethod']> label="Method" options={INFORMAL_METHODS.map((v) => ({ value: v, label: informalMethodLabel(v) }))} value={method} onChange={setMethod} error={errors.method} required />
          {method === 'other_agreed_method' ? <TextField label="The method both parties agreed to" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.method_description} required /> : null}
          <TextField label="Held on" type="date" value={heldOn} onChange={(e) => setHeldOn(e.target.value)} error={errors.held_on} required />
          <CheckboxGroup label="Ombudspersons who took part" options={people} value={participants} onChange={setParticipants} error={errors.participant_ids} required />
          <TextArea label="Proposed resolution" value={proposal} onChange={(e) => setProposal(e.target.value)} error={errors.proposal} required />
          <TextArea label="The other party's answer (if known)" value={answer} onChange={(e) => setAnswer(e.target.value)} error={errors.other_party_answer} />
          <SelectField label="Outcome" options={INFORMAL_OUTCOMES.map((v) => ({ value: v, label: informalOutcomeLabel(v) }))} value={outcome} onChange={(e) => setOutcome(e.target.value as Schemas['InformalOutcome'])} error={errors.outcome} required />
        </>
      )}
    </StepForm>
  );
}

export function UpdateAttemptForm({ attempt }: { attempt: Attempt }) {
  const { id } = useComplaintCtx();
  const [answer, setAnswer] = useState(attempt.other_party_answer ?? '');
  const [outcome, setOutcome] = useState<Schemas['InformalOutcome']>(attempt.outcome);
  const m = useComplaintChange(id, (body: Schemas['AttemptUpdate'], ifMatch: string) =>
    unwrap(
      api.PATCH('/api/complaints/{complaint_id}/informal-attempts/{attempt_id}', {
        params: { path: { complaint_id: id, attempt_id: attempt.id }, header: { 'If-Match': ifMatch } },
        body,
      }),
    ),
  );
  return (
    <StepForm title="Record the answer or the outcome" submitLabel="Save" mutation={m} values={() => ({ other_party_answer: answer || null, outcome })}>
      {(errors) => (
        <>
          <TextArea label="The other party's answer" value={answer} onChange={(e) => setAnswer(e.target.value)} error={errors.other_party_answer} />
          <SelectField label="Outcome" options={INFORMAL_OUTCOMES.map((v) => ({ value: v, label: informalOutcomeLabel(v) }))} value={outcome} onChange={(e) => setOutcome(e.target.value as Schemas['InformalOutcome'])} error={errors.outcome} required />
        </>
      )}
    </StepForm>
  );
}

export function ResolveStep() {
  const { id } = useComplaintCtx();
  const m = useComplaintChange(id, (_: null, ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/resolve-informally', changeArgs(id, ifMatch))),
  );
  return <StepForm title="Close as resolved informally (4.2.1)" intro="Only once an attempt resolved it." submitLabel="Close as resolved" mutation={m} values={() => null} />;
}
