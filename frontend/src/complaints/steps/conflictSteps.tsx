import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { changeArgs, useComplaintChange } from '../api';
import { StepForm, useComplaintCtx } from '../context';

/** 4.3.1(v): an ombudsperson with a conflict never sits on this complaint's CRC. */
export function OmbudspersonConflictStep() {
  const { id } = useComplaintCtx();
  const m = useComplaintChange(id, (_: null, ifMatch: string) =>
    unwrap(api.POST('/api/complaints/{complaint_id}/ombudsperson-conflict', changeArgs(id, ifMatch))),
  );
  return (
    <StepForm
      title="Declare a conflict of interest (4.3.1(v))"
      intro={
        <p>
          If you have a conflict on this complaint, declare it: you will never be drawn for its Complaint Review Committee.
          The declaration is recorded on the timeline and cannot be withdrawn. Table officers see only that someone is not
          eligible, never why.
        </p>
      }
      submitLabel="Declare my conflict"
      mutation={m}
      values={() => null}
      danger
    />
  );
}
