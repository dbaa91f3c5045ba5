// The consultation form as typed, what the form can check before asking the API, and the
// body the API takes (4.1). The member is in the directory or recorded by name, not both.
import type { PickedMember } from '../directory/MemberPicker';
import { todayInWinnipeg } from '../lib/dates';
import type { ConsultationCreate } from './api';

export interface ConsultationDraft {
  kind: 'member' | 'outside';
  member: PickedMember | null;
  fullName: string;
  heldOn: string;
  notes: string;
  otherRoutesTold: boolean;
}

export function newConsultation(today: string = todayInWinnipeg()): ConsultationDraft {
  return { kind: 'member', member: null, fullName: '', heldOn: today, notes: '', otherRoutesTold: false };
}

/** Problems by the API's field names ("member_id", "full_name", "held_on", "notes"). */
export function checkConsultation(d: ConsultationDraft, today: string = todayInWinnipeg()): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.kind === 'member' && !d.member) out.member_id = 'Choose the member in the directory, or record someone outside it.';
  if (d.kind === 'outside' && !d.fullName.trim()) out.full_name = "Give the member's full name.";
  if (!d.heldOn) out.held_on = 'Give the date the consultation was held.';
  else if (d.heldOn > today) out.held_on = 'A consultation is recorded once held: the date cannot be in the future.';
  if (!d.notes.trim()) out.notes = 'Note what was discussed.';
  return out;
}

export function toConsultationBody(d: ConsultationDraft): ConsultationCreate {
  const who = d.kind === 'member' && d.member ? { member_id: d.member.id, full_name: null } : { member_id: null, full_name: d.fullName.trim() };
  return { ...who, held_on: d.heldOn, notes: d.notes.trim(), other_routes_told: d.otherRoutesTold };
}
