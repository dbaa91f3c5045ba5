// The intake draft, as the ombudsperson fills it in, and the body the API takes.
import type { Schemas } from '../../api/client';
import type { PickedMember } from '../../directory/MemberPicker';
import { todayInWinnipeg } from '../../lib/dates';

export type Category = Schemas['Category'];
export type Setting = Schemas['Setting'];
export type Redirection = Schemas['Redirection'];

export interface PersonDraft {
  kind: 'member' | 'outside';
  member: PickedMember | null;
  fullName: string;
  contact: string;
}

export interface IncidentDraft {
  key: number;
  what: string;
  occurredOn: string;
  occurredAt: string;
  location: string;
  categories: Category[];
}

export interface IntakeDraft {
  receivedOn: string;
  setting: Setting | '';
  redirectedTo: Redirection | '';
  /** 1.3: the day it was redirected, when not today. */
  redirectedOn: string;
  toldOtherRoutes: boolean;
  otherRoutesToldOn: string;
  complainant: PersonDraft;
  otherParty: PersonDraft;
  witnesses: PersonDraft[];
  incidents: IncidentDraft[];
  grounds: string[];
  resolutionSought: string;
  /** The consultation (4.1) this complaint grows out of, if any. */
  consultation: { id: string; heldOn: string } | null;
}

export const STEPS = ['Scope', 'Parties and witnesses', 'Incidents', 'Grounds and resolution', 'Review and file'] as const;

let nextKey = 1;
export const newPerson = (): PersonDraft => ({ kind: 'member', member: null, fullName: '', contact: '' });
export const newIncident = (): IncidentDraft => ({
  key: nextKey++,
  what: '',
  occurredOn: '',
  occurredAt: '',
  location: '',
  categories: [],
});

export function newDraft(): IntakeDraft {
  return {
    receivedOn: todayInWinnipeg(),
    setting: '',
    redirectedTo: '',
    redirectedOn: '',
    toldOtherRoutes: false,
    otherRoutesToldOn: todayInWinnipeg(),
    complainant: newPerson(),
    otherParty: newPerson(),
    witnesses: [],
    incidents: [newIncident()],
    grounds: [],
    resolutionSought: '',
    consultation: null,
  };
}

export function person(p: PersonDraft): Schemas['PersonIn'] {
  if (p.kind === 'member' && p.member) return { member_id: p.member.id, contact: p.contact.trim() || null };
  return { full_name: p.fullName.trim(), contact: p.contact.trim() || null };
}

export function incident(i: IncidentDraft): Schemas['IncidentIn'] {
  return {
    what: i.what.trim(),
    occurred_on: i.occurredOn,
    occurred_at: i.occurredAt || null,
    location: i.location.trim(),
    categories: i.categories,
  };
}

export function toBody(d: IntakeDraft): Schemas['ComplaintCreate'] {
  return {
    received_on: d.receivedOn,
    setting: d.setting as Setting,
    redirected_to: d.setting === 'workplace' ? (d.redirectedTo as Redirection) : null,
    redirected_on: d.setting === 'workplace' && d.redirectedOn ? d.redirectedOn : null,
    other_routes_told_on: d.toldOtherRoutes ? d.otherRoutesToldOn : null,
    complainant: person(d.complainant),
    other_party: person(d.otherParty),
    witnesses: d.witnesses.map(person),
    incidents: d.incidents.map(incident),
    grounds: d.grounds,
    resolution_sought: d.resolutionSought.trim(),
    consultation_id: d.consultation?.id ?? null,
  };
}

/** Problems the form can see before asking the API, by field path. */
export function checkStep(step: number, d: IntakeDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const needPerson = (p: PersonDraft, field: string, who: string) => {
    if (p.kind === 'member' && !p.member) out[field] = `Choose the ${who} in the directory, or record someone outside it.`;
    if (p.kind === 'outside' && !p.fullName.trim()) out[field] = `Give the ${who}'s full name.`;
  };
  if (step === 0) {
    if (!d.setting) out.setting = 'Say where the conduct took place (1.3).';
    if (d.setting === 'workplace' && !d.redirectedTo) out.redirected_to = 'Choose where the member is redirected.';
  }
  if (step === 1) {
    needPerson(d.complainant, 'complainant', 'member-complainant');
    needPerson(d.otherParty, 'other_party', 'other party');
    d.witnesses.forEach((w, i) => needPerson(w, `witnesses.${i}`, 'witness'));
    if (d.complainant.member && d.complainant.member.id === d.otherParty.member?.id) {
      out.other_party = 'The other party cannot be the member-complainant.';
    }
  }
  if (step === 2) {
    d.incidents.forEach((inc, i) => {
      if (!inc.what.trim()) out[`incidents.${i}.what`] = 'Say what took place.';
      if (!inc.occurredOn) out[`incidents.${i}.occurred_on`] = 'Give the date.';
      if (!inc.location.trim()) out[`incidents.${i}.location`] = 'Say where.';
      if (!inc.categories.length) out[`incidents.${i}.categories`] = 'Choose at least one category (2.1).';
    });
  }
  if (step === 3 && !d.resolutionSought.trim()) out.resolution_sought = 'Say what resolution the member seeks.';
  return out;
}

/** The step that holds a field the API found fault with. */
export function stepOfField(field: string): number {
  if (/^(received_on|setting|redirected_to|redirected_on|other_routes_told_on|consultation_id)/.test(field)) return 0;
  if (/^(complainant|other_party|witnesses)/.test(field)) return 1;
  if (/^incidents/.test(field)) return 2;
  if (/^(grounds|resolution_sought)/.test(field)) return 3;
  return 4;
}
