import { RadioGroup, TextField } from '../../components/forms';
import { MemberPicker } from '../../directory/MemberPicker';
import { newPerson, type PersonDraft } from './model';

interface Props {
  legend: string;
  value: PersonDraft;
  onChange(p: PersonDraft): void;
  error?: string | undefined;
}

/** A party or witness: a member found in the directory, or someone recorded outside it. */
export function PersonFields({ legend, value, onChange, error }: Props) {
  return (
    <fieldset className="panel">
      <legend>{legend}</legend>
      <RadioGroup
        label={`Is the ${legend.toLowerCase()} in the member directory?`}
        options={[
          { value: 'member', label: 'Yes: find them in the directory' },
          { value: 'outside', label: 'No: record them outside the directory' },
        ]}
        value={value.kind}
        onChange={(kind) => onChange({ ...value, kind })}
      />
      {value.kind === 'member' ? (
        <MemberPicker label={legend} value={value.member} onChange={(member) => onChange({ ...value, member })} error={error} />
      ) : (
        <TextField label="Full name" value={value.fullName} onChange={(e) => onChange({ ...value, fullName: e.target.value })} error={error} required />
      )}
      <TextField
        label="How to reach them (optional)"
        value={value.contact}
        onChange={(e) => onChange({ ...value, contact: e.target.value })}
        hint="Phone or email, as they prefer"
      />
    </fieldset>
  );
}

/** The witnesses (2.1), each removable, and one more on demand; errors by "witnesses.N". */
export function WitnessList({ value, onChange, errors }: { value: PersonDraft[]; onChange(witnesses: PersonDraft[]): void; errors: Record<string, string> }) {
  return (
    <>
      {value.map((w, i) => (
        <div key={i}>
          <PersonFields
            legend={`Witness ${i + 1}`}
            value={w}
            onChange={(p) => onChange(value.map((x, j) => (j === i ? p : x)))}
            error={errors[`witnesses.${i}`] ?? errors[`witnesses.${i}.full_name`] ?? errors[`witnesses.${i}.member_id`]}
          />
          <button type="button" className="secondary" onClick={() => onChange(value.filter((_, j) => j !== i))}>
            Remove witness {i + 1}
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => onChange([...value, newPerson()])}>
          Add a witness
        </button>
      </div>
    </>
  );
}
