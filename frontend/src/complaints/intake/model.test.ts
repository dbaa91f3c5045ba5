import { describe, expect, it } from 'vitest';
import { checkStep, newDraft, newIncident, stepOfField, toBody, type IntakeDraft } from './model';

function filled(): IntakeDraft {
  const d = newDraft();
  d.receivedOn = '2026-11-20';
  d.setting = 'local_500_event';
  d.complainant = { kind: 'member', member: { id: 'm1', full_name: 'A', member_number: '1', unit_id: 'u' }, fullName: '', contact: '' };
  d.otherParty = { kind: 'outside', member: null, fullName: '  Someone Else ', contact: '' };
  d.incidents = [{ ...newIncident(), what: 'x', occurredOn: '2026-11-01', location: 'Hall', categories: ['comments'] }];
  d.resolutionSought = 'An apology';
  return d;
}

describe('the intake model', () => {
  it('builds the API body: members by id, others by name, no redirection in scope', () => {
    const body = toBody(filled());
    expect(body.complainant).toEqual({ member_id: 'm1', contact: null });
    expect(body.other_party).toEqual({ full_name: 'Someone Else', contact: null });
    expect(body.redirected_to).toBeNull();
    expect(body.other_routes_told_on).toBeNull();
    expect(body.incidents[0]).toMatchObject({ occurred_at: null, categories: ['comments'] });
  });

  it('sends the day a workplace complaint was redirected, only when redirected (1.3)', () => {
    const d = filled();
    d.redirectedOn = '2026-11-02';
    expect(toBody(d).redirected_on).toBeNull();
    d.setting = 'workplace';
    d.redirectedTo = 'grievance_procedure';
    expect(toBody(d)).toMatchObject({ redirected_to: 'grievance_procedure', redirected_on: '2026-11-02' });
    d.redirectedOn = '';
    expect(toBody(d).redirected_on).toBeNull();
  });

  it('asks where the conduct took place, and where a workplace complaint goes (1.3)', () => {
    const d = newDraft();
    expect(Object.keys(checkStep(0, d))).toEqual(['setting']);
    d.setting = 'workplace';
    expect(Object.keys(checkStep(0, d))).toEqual(['redirected_to']);
  });

  it('needs each party, and refuses the complainant as the other party', () => {
    const d = filled();
    d.otherParty = { ...d.complainant };
    expect(checkStep(1, d).other_party).toMatch(/cannot be the member-complainant/);
    d.witnesses = [{ kind: 'outside', member: null, fullName: ' ', contact: '' }];
    expect(Object.keys(checkStep(1, d))).toContain('witnesses.0');
  });

  it('needs at least one 2.1 category on every incident', () => {
    const d = filled();
    d.incidents = [{ ...newIncident(), what: 'x', occurredOn: '2026-11-01', location: 'Hall', categories: [] }];
    expect(checkStep(2, d)).toEqual({ 'incidents.0.categories': 'Choose at least one category (2.1).' });
  });

  it('sends the user to the step of a field the API refused', () => {
    expect(stepOfField('setting')).toBe(0);
    expect(stepOfField('witnesses.2.full_name')).toBe(1);
    expect(stepOfField('incidents.0.what')).toBe(2);
    expect(stepOfField('resolution_sought')).toBe(3);
  });
});
