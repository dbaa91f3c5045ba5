import { CheckboxGroup, TextArea, TextField } from '../../components/forms';
import { CATEGORIES, categoryLabel } from '../../lib/labels';
import { newIncident, type IncidentDraft } from './model';

const categoryOptions = CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }));

/** One incident (2.1): what, when, where, and its categories; errors by "incidents.N.field". */
export function IncidentFields({ index, value, onChange, onRemove, errors }: { index: number; value: IncidentDraft; onChange(i: IncidentDraft): void; onRemove?: () => void; errors: Record<string, string> }) {
  const at = `incidents.${index}`;
  return (
    <fieldset className="panel">
      <legend>Incident {index + 1}</legend>
      <TextArea label="What took place" value={value.what} onChange={(e) => onChange({ ...value, what: e.target.value })} error={errors[`${at}.what`]} required />
      <div className="grid-2">
        <TextField label="Date" type="date" value={value.occurredOn} onChange={(e) => onChange({ ...value, occurredOn: e.target.value })} error={errors[`${at}.occurred_on`]} required />
        <TextField label="Time (optional)" type="time" value={value.occurredAt} onChange={(e) => onChange({ ...value, occurredAt: e.target.value })} error={errors[`${at}.occurred_at`]} />
      </div>
      <TextField label="Where" value={value.location} onChange={(e) => onChange({ ...value, location: e.target.value })} error={errors[`${at}.location`]} required />
      <CheckboxGroup
        label="What kind of harassment (2.1)"
        options={categoryOptions}
        value={value.categories}
        onChange={(categories) => onChange({ ...value, categories })}
        error={errors[`${at}.categories`]}
        required
      />
      {onRemove ? (
        <button type="button" className="secondary" onClick={onRemove}>
          Remove incident {index + 1}
        </button>
      ) : null}
    </fieldset>
  );
}

/** Every incident of a complaint, each removable while another remains, and one more on demand. */
export function IncidentList({ value, onChange, errors }: { value: IncidentDraft[]; onChange(incidents: IncidentDraft[]): void; errors: Record<string, string> }) {
  return (
    <>
      {value.map((inc, i) => (
        <IncidentFields
          key={inc.key}
          index={i}
          value={inc}
          errors={errors}
          onChange={(v) => onChange(value.map((x, j) => (j === i ? v : x)))}
          {...(value.length > 1 ? { onRemove: () => onChange(value.filter((_, j) => j !== i)) } : {})}
        />
      ))}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => onChange([...value, newIncident()])}>
          Add another incident
        </button>
      </div>
    </>
  );
}
