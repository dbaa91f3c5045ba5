// What every part of the complaint page shares: the complaint as read (and its ETag), the
// parts of the case the caller holds, and the reload that follows a 412.
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { ApiError } from '../api/problem';
import type { Detail } from './api';

export type Part = 'handler' | 'intake' | 'crc_member' | 'staff_resource';

export interface ComplaintCtx {
  id: string;
  detail: Detail;
  parts: Set<Part>;
  /** The complaint is being read again: its ETag is about to change, so wait. */
  refreshing: boolean;
  /** Read the complaint again after a 412, keeping every form as typed. */
  reload(): void;
  /** Close the step's form (after it succeeded, or on cancel). */
  closeStep(): void;
}

const Ctx = createContext<ComplaintCtx | null>(null);
export const ComplaintProvider = Ctx.Provider;

export function useComplaintCtx(): ComplaintCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('useComplaintCtx outside the complaint page');
  return c;
}

interface StepFormProps<V> {
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  mutation: UseMutationResult<unknown, Error, V>;
  values(): V;
  children?: (errors: Record<string, string>) => ReactNode;
  danger?: boolean;
}

/**
 * One step of the procedure as a form: its errors beside its fields, the 412 and 409
 * explained with what to do, and the values kept as typed whatever happens.
 */
export function StepForm<V>({ title, intro, submitLabel, mutation, values, children, danger }: StepFormProps<V>) {
  const { reload, closeStep, refreshing } = useComplaintCtx();
  const [done, setDone] = useState(false);
  const errors = fieldErrorsOf(mutation.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(values(), {
      onSuccess: () => {
        setDone(true);
        closeStep();
      },
    });
  }
  const stale = mutation.error instanceof ApiError && mutation.error.status === 412;
  return (
    <form onSubmit={submit} className="panel step-form" aria-label={title}>
      <h3>{title}</h3>
      {intro ? <div className="hint">{intro}</div> : null}
      <ProblemAlert
        error={mutation.error}
        onReload={() => {
          mutation.reset();
          reload();
        }}
      />
      {children?.(errors)}
      <div className="actions">
        <button type="submit" className={danger ? 'danger' : undefined} disabled={mutation.isPending || done || refreshing}>
          {mutation.isPending ? 'Saving…' : stale ? `${submitLabel} (on the complaint as reloaded)` : submitLabel}
        </button>
        <button type="button" className="secondary" onClick={closeStep}>
          Cancel
        </button>
      </div>
    </form>
  );
}
