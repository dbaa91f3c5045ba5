// Every date and time is shown in Winnipeg's time, with the weekday (the policy's days are
// Manitoba days). Calendar dates from the API ("2026-12-07") are dates, not instants: they
// are formatted as such and never shifted by a time zone.

export const TIME_ZONE = 'America/Winnipeg';
const LOCALE = 'en-CA';

const dateFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});

const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZone: TIME_ZONE,
  timeZoneName: 'short',
});

const ymdFormat = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZone: TIME_ZONE,
});

function parseDate(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** "Monday, December 7, 2026" for "2026-12-07". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = parseDate(value);
  return d ? dateFormat.format(d) : value;
}

/** "Mon, Dec 7, 2026, 2:05 p.m. CST" for an instant, in Winnipeg. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTimeFormat.format(d);
}

/** Today's date in Winnipeg as "YYYY-MM-DD" (the default for date fields). */
export function todayInWinnipeg(now: Date = new Date()): string {
  return ymdFormat.format(now);
}
