// How problems, progress and empty states are shown, the same on every screen.
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError, inWords } from '../api/problem';
import { actionLabel, stageLabel } from '../lib/labels';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`notice notice-${tone}`} role="status">
      {children}
    </div>
  );
}

interface ProblemProps {
  error: unknown;
  /** 412: reload the record; what the user typed stays in the form. */
  onReload?: () => void;
}

/** An API error in words, with what the user can do about it. */
export function ProblemAlert({ error, onReload }: ProblemProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const p = e?.problem;
  let body: ReactNode;
  if (e?.status === 412) {
    body = (
      <>
        <p className="problem-title">Someone else changed this complaint</p>
        <p>
          The complaint changed after you opened it, so nothing was saved. What you typed is kept below. Reload the
          complaint, check what changed, then apply your change again.
        </p>
        {onReload ? (
          <button type="button" onClick={onReload}>
            Reload the complaint (keeps what you typed)
          </button>
        ) : null}
      </>
    );
  } else if (e?.status === 409 && p?.allowed_actions) {
    body = (
      <>
        <p className="problem-title">Not allowed at this stage</p>
        <p>
          The complaint is at the stage “{stageLabel(p.stage)}”, which does not allow this step. Nothing was saved.
        </p>
        {p.allowed_actions.length ? (
          <>
            <p>The steps allowed now:</p>
            <ul>
              {p.allowed_actions.map((a) => (
                <li key={a}>{actionLabel(a)}</li>
              ))}
            </ul>
          </>
        ) : (
          <p>No step is allowed at this stage.</p>
        )}
      </>
    );
  } else if (e?.status === 422) {
    body = (
      <>
        <p className="problem-title">Some entries need correcting</p>
        {p?.errors?.length ? <p>Nothing was saved: correct these entries, then try again.</p> : null}
        {p?.errors?.length ? (
          <ul>
            {p.errors.map((f, i) => (
              <li key={`${f.field}-${i}`}>
                {f.field ? (
                  <>
                    <strong>{fieldLabel(f.field)}</strong>:{' '}
                  </>
                ) : null}
                {inWords(f.message)}
              </li>
            ))}
          </ul>
        ) : (
          <p>{p?.detail}</p>
        )}
      </>
    );
  } else if (e) {
    body = (
      <>
        <p className="problem-title">{p?.title ?? 'Something went wrong'}</p>
        <p>{p?.detail}</p>
        {p?.errors?.length ? (
          <ul>
            {p.errors.map((f, i) => (
              <li key={`${f.field}-${i}`}>{inWords(f.message)}</li>
            ))}
          </ul>
        ) : null}
      </>
    );
  } else {
    body = (
      <>
        <p className="problem-title">Something went wrong</p>
        <p>The server could not be reached. Nothing was saved; try again.</p>
      </>
    );
  }
  return (
    <div className="problem" role="alert" tabIndex={-1} ref={ref}>
      {body}
    </div>
  );
}

// Fields whose words differ from their names; any other field is spelled out from its name.
const FIELD_WORDS: Record<string, string> = {
  body: 'The request',
  occurred_on: 'Date it happened',
  occurred_at: 'Date and time',
  redirected_on: 'Redirected on',
  redirected_to: 'Redirected to',
  member_id: 'Member',
  other_party_id: 'Other party',
  staff_resource_id: 'Staff resource',
  proposal_version: 'Panel version',
  what: 'What happened',
  email: 'E-mail address',
  muted: 'What you are told about',
};

/** A field path of problem+json ("incidents.0.what") in words ("Incidents, 1: What happened"), never the raw code. */
export function fieldLabel(field: string): string {
  const words = field.split('.').map((part) => {
    if (/^\d+$/.test(part)) return String(Number(part) + 1);
    const known = FIELD_WORDS[part];
    if (known) return known;
    const spaced = part.replace(/_/g, ' ');
    return spaced.charAt(0).toUpperCase() + spaced.slice(1);
  });
  return words.join(', ');
}

/** The field-level messages of a 422, by field path. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError && error.status === 422 ? error.fieldErrors() : {};
}

/** A screen's heading; focused when the screen opens so screen readers announce it. */
export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Ombuds`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}
