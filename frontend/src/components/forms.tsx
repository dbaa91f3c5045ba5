// Form fields with their labels, hints and errors tied together (aria-describedby), so a
// validation error sits next to its field and is read out with it.
import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  required?: boolean;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? hintId : null, error ? errorId : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Messages({ hintId, errorId, hint, error }: { hintId: string; errorId: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({ label, hint, error, required, ref, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </label>
      <Messages hintId={`${id}-hint`} errorId={`${id}-error`} hint={hint} error={error} />
      <input
        id={id}
        ref={ref}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...input}
      />
    </div>
  );
}

export function TextArea({ label, hint, error, required, ...input }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </label>
      <Messages hintId={`${id}-hint`} errorId={`${id}-error`} hint={hint} error={error} />
      <textarea
        id={id}
        rows={4}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...input}
      />
    </div>
  );
}

export function SelectField({
  label,
  hint,
  error,
  required,
  options,
  placeholder,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[]; placeholder?: string }) {
  const id = useId();
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </label>
      <Messages hintId={`${id}-hint`} errorId={`${id}-error`} hint={hint} error={error} />
      <select
        id={id}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...select}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

interface ChoiceProps<T extends string> extends FieldProps {
  options: { value: T; label: string; hint?: string }[];
  name?: string;
}

/** Radio buttons in a fieldset whose legend is the question. */
export function RadioGroup<T extends string>({
  label,
  hint,
  error,
  required,
  options,
  value,
  onChange,
  name,
}: ChoiceProps<T> & { value: T | '' | null; onChange(value: T): void }) {
  const id = useId();
  return (
    <fieldset
      className={error ? 'field has-error' : 'field'}
      aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
    >
      <legend>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </legend>
      <Messages hintId={`${id}-hint`} errorId={`${id}-error`} hint={hint} error={error} />
      {options.map((o) => (
        <div className="choice" key={o.value}>
          <input
            type="radio"
            id={`${id}-${o.value}`}
            name={name ?? id}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
            required={required}
          />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** Checkboxes in a fieldset whose legend is the question. */
export function CheckboxGroup<T extends string>({
  label,
  hint,
  error,
  required,
  options,
  value,
  onChange,
}: ChoiceProps<T> & { value: T[]; onChange(value: T[]): void }) {
  const id = useId();
  const toggle = (v: T) => onChange(value.includes(v) ? value.filter((x) => x !== v) : [...value, v]);
  return (
    <fieldset
      className={error ? 'field has-error checkboxes' : 'field checkboxes'}
      aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
    >
      <legend>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </legend>
      <Messages hintId={`${id}-hint`} errorId={`${id}-error`} hint={hint} error={error} />
      {options.map((o) => (
        <div className="choice" key={o.value}>
          <input type="checkbox" id={`${id}-${o.value}`} checked={value.includes(o.value)} onChange={() => toggle(o.value)} />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}
