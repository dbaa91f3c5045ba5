// Correcting the intake after it was filed (complaints-update-intake): the witnesses, the
// incidents, the grounds, the resolution sought and the other routes told of, prefilled from
// the complaint as read. The whole lists are sent: the API replaces them as given.
import type { Schemas } from '../../api/client';
import type { Detail } from '../api';
import { todayInWinnipeg } from '../../lib/dates';
import { checkStep, incident, newDraft, newIncident, person, type IncidentDraft, type PersonDraft } from './model';

export interface CorrectionDraft {
  witnesses: PersonDraft[];
  incidents: IncidentDraft[];
  grounds: string[];
  resolutionSought: string;
  toldOtherRoutes: boolean;
  otherRoutesToldOn: string;
}

function personFrom(p: Detail['people'][number]): PersonDraft {
  const contact = p.contact ?? '';
  if (p.member_id) {
    return { kind: 'member', member: { id: p.member_id, full_name: p.full_name, member_number: '', unit_id: p.unit_id ?? '' }, fullName: '', contact };
  }
  return { kind: 'outside', member: null, fullName: p.full_name, contact };
}

function incidentFrom(i: Detail['incidents'][number]): IncidentDraft {
  return {
    ...newIncident(),
    what: i.what,
    occurredOn: i.occurred_on,
    occurredAt: i.occurred_at ? i.occurred_at.slice(0, 5) : '',
    location: i.location,
    categories: [...i.categories],
  };
}

/** The form, filled in with the complaint as recorded. */
export function correctionFrom(d: Detail): CorrectionDraft {
  return {
    witnesses: d.people.filter((p) => p.role === 'witness').map(personFrom),
    incidents: d.incidents.length ? d.incidents.map(incidentFrom) : [newIncident()],
    grounds: [...d.grounds],
    resolutionSought: d.resolution_sought,
    toldOtherRoutes: !!d.other_routes_told_on,
    otherRoutesToldOn: d.other_routes_told_on ?? todayInWinnipeg(),
  };
}

/** What the form can see is missing, by the API's field paths ("witnesses.0", "incidents.1.what"). */
export function checkCorrection(c: CorrectionDraft): Record<string, string> {
  const as = { ...newDraft(), witnesses: c.witnesses, incidents: c.incidents, resolutionSought: c.resolutionSought };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(checkStep(1, as))) if (k.startsWith('witnesses.')) out[k] = v;
  Object.assign(out, checkStep(2, as), checkStep(3, as));
  if (c.toldOtherRoutes && !c.otherRoutesToldOn) out.other_routes_told_on = 'Give the date the member was told of other routes.';
  return out;
}

export function correctionBody(c: CorrectionDraft): Schemas['IntakeUpdate'] {
  return {
    witnesses: c.witnesses.map(person),
    incidents: c.incidents.map(incident),
    grounds: c.grounds,
    resolution_sought: c.resolutionSought.trim(),
    other_routes_told_on: c.toldOtherRoutes ? c.otherRoutesToldOn : null,
  };
}

/**
 * Only the fields changed since the form was filled in: a correction reapplied after a 412
 * then leaves alone what someone else changed meanwhile in the other fields.
 */
export function changedBody(from: CorrectionDraft, now: CorrectionDraft): Schemas['IntakeUpdate'] {
  const before = correctionBody(from);
  const after = correctionBody(now);
  const out: Schemas['IntakeUpdate'] = {};
  for (const key of Object.keys(after) as (keyof Schemas['IntakeUpdate'])[]) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) Object.assign(out, { [key]: after[key] });
  }
  return out;
}
