import { describe, expect, it } from 'vitest';
import type { RecordRetention, Upcoming } from './api';
import { recordState, ruleText, upcomingState } from './state';

const up = (extra: Partial<Upcoming> = {}): Upcoming => ({
  record_type: 'consultation',
  id: 'c1',
  reference: null,
  record_class: 'consultation',
  closed_on: '2026-11-25',
  due_on: '2026-12-25',
  held: false,
  carry_out_on: null,
  ...extra,
});

const rec = (extra: Partial<RecordRetention> = {}): RecordRetention => ({
  record_type: 'complaint',
  id: 'x',
  reference: 'C-ABCDEF',
  record_class: 'formal',
  period_days: 2555,
  closed_on: '2026-01-05',
  due_on: '2033-01-03',
  hold: null,
  scheduled: null,
  destroyed_at: null,
  ...extra,
});

describe('where a record stands on its retention schedule (5.1)', () => {
  it('names a record falling due, one past its date, a scheduled one and a held one', () => {
    expect(upcomingState(up(), '2026-12-07')).toMatchObject({ kind: 'due', label: 'Due', text: 'Falls due on Friday, December 25, 2026.' });
    expect(upcomingState(up({ due_on: '2026-12-01' }), '2026-12-07')).toMatchObject({ kind: 'due', label: 'Due now' });
    expect(upcomingState(up({ carry_out_on: '2026-12-20' }), '2026-12-07')).toMatchObject({
      kind: 'scheduled',
      text: 'Destruction scheduled for Sunday, December 20, 2026; a legal hold placed before then undoes it.',
    });
    // A hold outranks a schedule: the record is not destroyed.
    expect(upcomingState(up({ held: true, carry_out_on: '2026-12-20' }), '2026-12-07').kind).toBe('held');
  });

  it("reads a record's page: open, kept, due, scheduled (undoable until the day), held, destroyed", () => {
    const today = '2026-12-07';
    expect(recordState(rec({ record_class: null, period_days: null, closed_on: null, due_on: null }), today).kind).toBe('open');
    expect(recordState(rec(), today)).toMatchObject({ kind: 'kept', text: 'Kept until Monday, January 3, 2033.' });
    expect(recordState(rec({ due_on: today }), today).kind).toBe('due');
    const scheduled = recordState(rec({ due_on: '2026-12-01', scheduled: { scheduled_at: '2026-12-01T12:00:00Z', carry_out_on: '2026-12-31' } }), today);
    expect(scheduled.kind).toBe('scheduled');
    expect(scheduled.text).toContain('destroyed on Thursday, December 31, 2026. Until then it can be undone');
    const hold = { id: 'h', reason: 'r', placed_by: 'u', placed_at: '2026-12-01T12:00:00Z' };
    expect(recordState(rec({ hold }), today).kind).toBe('held');
    expect(recordState(rec({ hold, destroyed_at: '2026-12-02T12:00:00Z' }), today).kind).toBe('destroyed');
  });

  it('spells the rule out from the class and its period', () => {
    expect(ruleText('formal', 2555)).toBe('Formal complaint, kept 2555 days after closing');
    expect(ruleText('consultation', null)).toBe('Consultation (4.1)');
    expect(ruleText(null, null)).toBe('—');
  });
});
