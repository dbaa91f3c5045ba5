import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, todayInWinnipeg } from './dates';

describe('dates in Winnipeg', () => {
  it('shows a calendar date with its weekday, never shifted by a time zone', () => {
    expect(formatDate('2026-12-07')).toBe('Monday, December 7, 2026');
    expect(formatDate('2027-01-01')).toBe('Friday, January 1, 2027');
  });

  it('shows an instant in Winnipeg time with the weekday', () => {
    // 03:30 UTC on Dec 8 is still Monday Dec 7 in Winnipeg (UTC-6).
    const shown = formatDateTime('2026-12-08T03:30:00Z');
    expect(shown).toMatch(/^Mon, Dec\.? 7, 2026/);
    expect(shown).toMatch(/9:30/);
    expect(shown).toMatch(/CST/);
  });

  it("takes today's date in Winnipeg, not in UTC", () => {
    expect(todayInWinnipeg(new Date('2026-12-08T03:30:00Z'))).toBe('2026-12-07');
    expect(todayInWinnipeg(new Date('2026-07-01T12:00:00Z'))).toBe('2026-07-01');
  });

  it('shows a dash for a missing date', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
  });
});
