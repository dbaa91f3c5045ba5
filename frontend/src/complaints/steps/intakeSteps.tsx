import { useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { RadioGroup, TextField } from '../../components/forms';
import { todayInWinnipeg } from '../../lib/dates';
import { redirectionLabel } from '../../lib/labels';
import { changeArgs, useComplaintChange } from '../api';
import { StepForm, useComplaintCtx } from '../context';
import type { Schemas } from '../../api/client';

export function RedirectStep() {
  const { id } = useComplaintCtx();
  const [to, setTo] = useState<Schemas['Redirection'] | ''>('');
  const [on, setOn] = useState('');
  const m = useComplaintChange(id, (body: Schemas['RedirectIn'], ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/redirect', { ...changeArgs(id, ifMatch), body })),
  );
  return (
    <StepForm title="Redirect: out of scope (1.3)" intro="Workplace harassment goes to the grievance procedure or the Employer's Respectful Workplace Policy. The record closes here." submitLabel="Close as redirected" mutation={m} values={() => ({ redirected_to: to as Schemas['Redirection'], occurred_on: on || null })}>
      {(errors) => (
        <>
          <RadioGroup<Schemas['Redirection']>
            label="Redirected to"
            options={(['grievance_procedure', 'respectful_workplace_policy'] as const).map((r) => ({ value: r, label: redirectionLabel(r) }))}
            value={to}
            onChange={setTo}
            error={errors.redirected_to}
            required
          />
          <TextField
            label="Date it happened (optional)"
            hint="The day the member was redirected, if not today."
            type="date"
            max={todayInWinnipeg()}
            value={on}
            onChange={(e) => setOn(e.target.value)}
            error={errors.occurred_on}
          />
        </>
      )}
    </StepForm>
  );
}

export function WithdrawStep() {
  const { id } = useComplaintCtx();
  const m = useComplaintChange(id, (_: null, ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/withdraw', changeArgs(id, ifMatch))),
  );
  return (
    <StepForm title="Withdraw the complaint" intro="The member-complainant withdraws: the complaint closes and owes no deadlines. A formal complaint withdraws only once every notice owed to a party is told or waived (4.3.1(vii)). This cannot be undone." submitLabel="Withdraw the complaint" mutation={m} values={() => null} danger />
  );
}
