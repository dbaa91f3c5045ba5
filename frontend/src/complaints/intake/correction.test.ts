import { describe, expect, it } from 'vitest';
import type { Detail } from '../api';
import { changedBody, checkCorrection, correctionBody, correctionFrom } from './correction';

const detail = {
  id: 'c1',
  reference: 'HC-2026-001',
  version: 4,
  stage: 'informal',
  resolution_sought: 'An apology.',
  grounds: ['age'],
  other_routes_told_on: null,
  people: [
    { id: 'p1', role: 'complainant', member_id: 'm1', full_name: 'Member One', unit_id: 'u1', contact: null },
    { id: 'p2', role: 'other_party', member_id: 'm2', full_name: 'Member Two', unit_id: 'u1', contact: null },
    { id: 'p3', role: 'witness', member_id: 'm3', full_name: 'Member Three', unit_id: 'u2', contact: '204-555-0100' },
    { id: 'p4', role: 'witness', member_id: null, full_name: 'Outside Person', unit_id: null, contact: null },
  ],
  incidents: [{ id: 'i1', what: 'Jokes.', occurred_on: '2026-11-01', occurred_at: '19:30:00', location: 'Hall', categories: ['comments'] }],
} as unknown as Detail;

describe('correcting the intake', () => {
  it('starts from the complaint as recorded: only the witnesses, each incident, the grounds and the resolution', () => {
    const c = correctionFrom(detail);
    expect(c.witnesses.map((w) => [w.kind, w.member?.id ?? w.fullName, w.contact])).toEqual([
      ['member', 'm3', '204-555-0100'],
      ['outside', 'Outside Person', ''],
    ]);
    expect(c.incidents).toHaveLength(1);
    expect(c.incidents[0]).toMatchObject({ what: 'Jokes.', occurredOn: '2026-11-01', occurredAt: '19:30', location: 'Hall', categories: ['comments'] });
    expect(c.grounds).toEqual(['age']);
    expect(c.toldOtherRoutes).toBe(false);
    expect(checkCorrection(c)).toEqual({});
  });

  it('sends the whole lists back, members by id and others by name, never the parties', () => {
    const c = correctionFrom(detail);
    c.incidents[0]!.what = '  Jokes about age. ';
    c.toldOtherRoutes = true;
    c.otherRoutesToldOn = '2026-11-20';
    const body = correctionBody(c);
    expect(body.witnesses).toEqual([
      { member_id: 'm3', contact: '204-555-0100' },
      { full_name: 'Outside Person', contact: null },
    ]);
    expect(body.incidents).toEqual([{ what: 'Jokes about age.', occurred_on: '2026-11-01', occurred_at: '19:30', location: 'Hall', categories: ['comments'] }]);
    expect(body.other_routes_told_on).toBe('2026-11-20');
    expect(body.resolution_sought).toBe('An apology.');
    expect(Object.keys(body)).not.toContain('complainant');
    expect(Object.keys(body)).not.toContain('other_party');
  });

  it('finds what is missing by the paths the API uses', () => {
    const c = correctionFrom(detail);
    c.witnesses.push({ kind: 'outside', member: null, fullName: ' ', contact: '' });
    c.incidents[0]!.categories = [];
    c.resolutionSought = ' ';
    expect(checkCorrection(c)).toEqual({
      'witnesses.2': "Give the witness's full name.",
      'incidents.0.categories': 'Choose at least one category (2.1).',
      resolution_sought: 'Say what resolution the member seeks.',
    });
  });
});

describe('a correction sent after someone else changed the complaint', () => {
  it('carries only the fields this user changed', () => {
    const from = correctionFrom(detail);
    const now = correctionFrom(detail);
    expect(changedBody(from, now)).toEqual({});
    now.witnesses.push({ kind: 'outside', member: null, fullName: 'Late Witness', contact: '' });
    now.incidents[0]!.location = 'Break room';
    const body = changedBody(from, now);
    expect(Object.keys(body).sort()).toEqual(['incidents', 'witnesses']);
    expect(body.witnesses).toHaveLength(3);
    expect(body.incidents?.[0]?.location).toBe('Break room');
  });
});
