// The one form behind a legal hold, lifting it and undoing a scheduled destruction: a
// reason is required (checked here first, then by the API, whose error sits on the field),
// and a consequential action is confirmed before it is sent.
import { useState, type FormEvent, type ReactNode } from 'react';
import { ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { TextArea } from '../components/forms';
import { useRetentionAction, type RetentionAction } from './api';
import type { RecordType } from './api';

export const REASON_REQUIRED = 'Give a reason: it is kept with the record.';

/** The message for the reason field: what the user left out, or what the API refused. */
export function reasonError(reason: string, tried: boolean, apiErrors: Record<string, string>): string | undefined {
  if (tried && !reason.trim()) return REASON_REQUIRED;
  return apiErrors.reason ?? apiErrors['body.reason'];
}

interface Props {
  action: RetentionAction;
  type: RecordType;
  id: string;
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  /** Asked before sending: the action cannot simply be taken back. */
  confirm?: string;
  /** `saved`: the action was taken (else the user cancelled). */
  onDone(saved: boolean): void;
}

export function ReasonForm({ action, type, id, title, intro, submitLabel, confirm, onDone }: Props) {
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const m = useRetentionAction(action);
  const error = reasonError(reason, tried, fieldErrorsOf(m.error));
  function send() {
    m.mutate({ type, id, reason: reason.trim() }, { onSuccess: () => onDone(true) });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (!reason.trim()) return;
    if (confirm) setConfirming(true);
    else send();
  }
  return (
    <form className="panel" onSubmit={submit} aria-label={title} noValidate>
      <h3>{title}</h3>
      {intro ? <div className="hint">{intro}</div> : null}
      <ProblemAlert error={m.error} />
      <TextArea label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={error} required maxLength={2000} disabled={confirming} />
      {confirming ? (
        <div className="notice notice-warning" role="alertdialog" aria-labelledby={`${action}-${id}-confirm`}>
          <p id={`${action}-${id}-confirm`}>
            <strong>{confirm}</strong>
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={send} disabled={m.isPending}>
              {m.isPending ? 'Saving…' : `Yes: ${submitLabel.toLowerCase()}`}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              No, go back
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="submit" disabled={m.isPending}>
            {m.isPending ? 'Saving…' : submitLabel}
          </button>
          <button type="button" className="secondary" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
