import { describe, expect, it } from 'vitest';
import type { Detail } from './api';
import type { Part } from './context';
import { offeredSteps } from './nextSteps';

const detail = (stage: string, allowed: string[], more: Partial<Detail> = {}) =>
  ({ stage, allowed_actions: allowed, table_officers_notified_on: null, other_party_reviewed_on: null, response_received_on: null, ...more }) as unknown as Detail;
const offered = (d: Detail, parts: Part[]) => offeredSteps(d, new Set(parts), { conflictDeclared: false }).map(([a]) => a);

describe('Next steps, from the caller’s allowed_actions', () => {
  it('offers exactly the actions the API lists for this caller', () => {
    // A CRC member before any investigation step: findings are not listed, so not offered.
    expect(offered(detail('investigation', ['record_investigation']), ['crc_member'])).toEqual(['record_investigation', 'record_disclosure']);
    expect(offered(detail('investigation', ['record_investigation', 'record_findings']), ['crc_member'])).toEqual([
      'record_investigation',
      'record_findings',
      'record_disclosure',
    ]);
  });

  it('offers nothing the API does not list, whatever part the caller holds', () => {
    expect(offered(detail('conclusions', []), ['crc_member'])).toEqual(['record_disclosure']);
    expect(offered(detail('review', []), ['handler', 'intake'])).toEqual(['record_disclosure']);
    expect(offered(detail('intake', []), ['handler', 'intake'])).toEqual([]);
  });

  it('keeps the order of the procedure, not the order of the list', () => {
    expect(offered(detail('conclusions', ['close', 'tell_conclusions']), ['crc_member'])).toEqual(['tell_conclusions', 'close', 'record_disclosure']);
  });

  it('leaves out a listed step already taken on this complaint', () => {
    const d = detail('review', ['notify_table_officers', 'withdraw'], { table_officers_notified_on: '2026-12-01' });
    expect(offered(d, ['handler'])).toEqual(['withdraw']);
  });
});
