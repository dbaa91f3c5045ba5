import { describe, expect, it } from 'vitest';
import { checkConsultation, newConsultation, toConsultationBody } from './model';

const TODAY = '2026-11-23';

describe('the consultation form (4.1)', () => {
  it('starts on today, with the member to be found in the directory', () => {
    const d = newConsultation(TODAY);
    expect(d.heldOn).toBe(TODAY);
    expect(checkConsultation(d, TODAY)).toEqual({
      member_id: 'Choose the member in the directory, or record someone outside it.',
      notes: 'Note what was discussed.',
    });
  });

  it('sends a member of the directory by id, never a name as well', () => {
    const d = { ...newConsultation(TODAY), member: { id: 'm1', full_name: 'A', member_number: '1', unit_id: 'u' }, fullName: 'typed earlier', notes: ' Options discussed. ' };
    expect(checkConsultation(d, TODAY)).toEqual({});
    expect(toConsultationBody(d)).toEqual({ member_id: 'm1', full_name: null, held_on: TODAY, notes: 'Options discussed.', other_routes_told: false });
  });

  it('sends someone outside the directory by name, trimmed', () => {
    const d = { ...newConsultation(TODAY), kind: 'outside' as const, member: { id: 'm1', full_name: 'A', member_number: '1', unit_id: 'u' }, fullName: '  Pat Doe ', notes: 'x', otherRoutesTold: true };
    expect(toConsultationBody(d)).toEqual({ member_id: null, full_name: 'Pat Doe', held_on: TODAY, notes: 'x', other_routes_told: true });
    expect(checkConsultation({ ...d, fullName: ' ' }, TODAY)).toEqual({ full_name: "Give the member's full name." });
  });

  it('refuses a date that has not come yet in Winnipeg', () => {
    const d = { ...newConsultation(TODAY), kind: 'outside' as const, fullName: 'Pat', notes: 'x' };
    expect(checkConsultation({ ...d, heldOn: '2026-11-24' }, TODAY).held_on).toMatch(/cannot be in the future/);
    expect(checkConsultation({ ...d, heldOn: '' }, TODAY).held_on).toMatch(/Give the date/);
    expect(checkConsultation({ ...d, heldOn: '2026-11-22' }, TODAY)).toEqual({});
  });
});
