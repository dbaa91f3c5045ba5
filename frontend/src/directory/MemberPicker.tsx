// Find a member in the directory by name or number, and pick one. A search field and a
// list of result buttons: simple to use with the keyboard and a screen reader.
import { useDeferredValue, useId, useState } from 'react';
import { unitName, useMemberSearch, useUnits, type Member } from './api';

export type PickedMember = Pick<Member, 'id' | 'full_name' | 'member_number' | 'unit_id'>;

interface Props {
  label: string;
  value: PickedMember | null;
  onChange(member: PickedMember | null): void;
  error?: string | undefined;
}

export function MemberPicker({ label, value, onChange, error }: Props) {
  const id = useId();
  const [q, setQ] = useState('');
  const query = useDeferredValue(q.trim());
  const results = useMemberSearch(query, query.length >= 2);
  const units = useUnits();
  if (value) {
    return (
      <div className={error ? 'field has-error' : 'field'}>
        <p className="picked">
          <strong>{label}:</strong> {value.full_name} ({[value.member_number, unitName(units.data, value.unit_id)].filter(Boolean).join(', ')}){' '}
          <button type="button" className="link" onClick={() => onChange(null)}>
            Change<span className="visually-hidden"> {label.toLowerCase()}</span>
          </button>
        </p>
        {error ? <p className="field-error">{error}</p> : null}
      </div>
    );
  }
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={`${id}-hint`}>
        Type at least two letters of the name, or the start of the member number.
      </p>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        autoComplete="off"
      />
      <div aria-live="polite">
        {query.length >= 2 && results.data ? (
          results.data.items.length ? (
            <ul className="search-results" aria-label={`Members matching “${query}”`}>
              {results.data.items.map((m) => (
                <li key={m.id}>
                  <span>
                    {m.full_name} <span className="muted">({m.member_number}, {unitName(units.data, m.unit_id)})</span>
                  </span>
                  <button type="button" className="secondary" onClick={() => onChange(m)} aria-label={`Choose ${m.full_name}, ${m.member_number}`}>
                    Choose
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="empty">No member matches “{query}”.</p>
          )
        ) : null}
      </div>
    </div>
  );
}
