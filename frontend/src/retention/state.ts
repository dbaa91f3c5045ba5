// Where a record stands on its retention schedule (5.1), in words: the one place that
// decides what "due", "scheduled" and "held" mean on every screen.
import { formatDate } from '../lib/dates';
import { recordClassLabel } from '../lib/labels';
import type { RecordRetention, Upcoming } from './api';

export type RetentionKind = 'open' | 'kept' | 'due' | 'scheduled' | 'held' | 'destroyed';

export interface RetentionState {
  kind: RetentionKind;
  /** A short label for a badge. */
  label: string;
  /** One sentence saying what happens next. */
  text: string;
}

const BADGE: Record<RetentionKind, string> = {
  open: 'badge-muted',
  kept: 'badge-muted',
  due: 'badge-overdue',
  scheduled: 'badge-late',
  held: 'badge-ok',
  destroyed: 'badge-muted',
};

export function badgeClass(kind: RetentionKind): string {
  return `badge ${BADGE[kind]}`;
}

/** The rule a record is kept under: "Formal complaint, kept 2555 days after closing". */
export function ruleText(recordClass: string | null, periodDays: number | null): string {
  if (!recordClass) return '—';
  return periodDays === null ? recordClassLabel(recordClass) : `${recordClassLabel(recordClass)}, kept ${periodDays} days after closing`;
}

/** A line of the "due for destruction" list. */
export function upcomingState(u: Upcoming, today: string): RetentionState {
  if (u.held) return { kind: 'held', label: 'Held', text: 'A legal hold stands: it will not be destroyed.' };
  if (u.carry_out_on)
    return {
      kind: 'scheduled',
      label: 'Scheduled',
      text: `Destruction scheduled for ${formatDate(u.carry_out_on)}; a legal hold placed before then undoes it.`,
    };
  return {
    kind: 'due',
    label: u.due_on < today ? 'Due now' : 'Due',
    text: u.due_on < today ? 'Past its date: the retention job schedules its destruction.' : `Falls due on ${formatDate(u.due_on)}.`,
  };
}

/** A record's retention as its page shows it. */
export function recordState(r: RecordRetention, today: string): RetentionState {
  if (r.destroyed_at) return { kind: 'destroyed', label: 'Destroyed', text: 'Its content was destroyed at the end of its retention period.' };
  if (r.hold) return { kind: 'held', label: 'Held', text: 'A legal hold stands: the record is not destroyed until an administrator lifts it.' };
  if (r.scheduled)
    return {
      kind: 'scheduled',
      label: 'Destruction scheduled',
      text: `It will be destroyed on ${formatDate(r.scheduled.carry_out_on)}. Until then it can be undone: a legal hold by its ombudsperson, or an administrator's restore.`,
    };
  if (!r.due_on) return { kind: 'open', label: 'Open', text: 'Kept while open: its retention period starts when it closes.' };
  if (r.due_on <= today) return { kind: 'due', label: 'Due', text: `It fell due on ${formatDate(r.due_on)}: the retention job schedules its destruction.` };
  return { kind: 'kept', label: 'Kept', text: `Kept until ${formatDate(r.due_on)}.` };
}
