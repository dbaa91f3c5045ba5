// Query hook and downloads for the policy review's statistics (6).
import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { toApiError, unwrap } from '../api/problem';

export type Report = Schemas['StatisticsReport'];
export type Table = Schemas['StatisticsTable'];
export type Cell = Schemas['StatisticsCell'];
export type Median = Schemas['StatisticsMedian'];

export interface Period {
  from?: string;
  to?: string;
}

function query({ from, to }: Period) {
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function useStatistics(period: Period) {
  return useQuery({
    queryKey: ['statistics', period.from ?? null, period.to ?? null],
    queryFn: () => unwrap(api.GET('/api/statistics', { params: { query: query(period) } })),
  });
}

/** The file name the server gives in Content-Disposition, else a fallback. */
export function filenameOf(response: Response, fallback: string): string {
  const m = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '');
  return m?.[1] ?? fallback;
}

/**
 * The report as CSV or PDF, saved by the browser. The session is a bearer token held in
 * memory (api/client.ts), not a cookie, so a plain link would be refused: the file is
 * fetched with the token and handed to the browser as a download.
 */
export async function downloadReport(format: 'csv' | 'pdf', period: Period): Promise<void> {
  const params = { query: query(period) };
  const { data, error, response } =
    format === 'csv'
      ? await api.GET('/api/statistics/report.csv', { params, parseAs: 'blob' })
      : await api.GET('/api/statistics/report.pdf', { params, parseAs: 'blob' });
  if (!response.ok || !data) throw toApiError(error, response);
  const url = URL.createObjectURL(data as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filenameOf(response, `statistics.${format}`);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
