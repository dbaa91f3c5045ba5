import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, Route, Routes } from 'react-router';
import { fakeApi } from '../test/http';
import { cellText, medianText } from './cells';
import { filenameOf } from './api';
import StatisticsPage, { periodError } from './StatisticsPage';

afterEach(() => vi.unstubAllGlobals());

const cell = (key: string, label: string, count: number | null, mark: string) => ({ key, label, count, suppressed: mark !== 'shown', mark });
// k comes from the API (7 here, not the default 5): the words follow it.
const REPORT = {
  period_from: '2025-01-01',
  period_to: '2026-12-07',
  k: 7,
  total: 12,
  too_few: false,
  tables: [
    { key: 'record_class', title: 'Record class', kind: 'partition', total: null, cells: [cell('redirected', 'Redirected', 9, 'shown'), cell('withdrawn', 'Withdrawn', null, 'fewer_than_k'), cell('formal', 'Formal', null, 'suppressed')] },
    { key: 'ground', title: 'Grounds (2.2)', kind: 'multi', total: null, cells: [cell('age', 'Age', null, 'withheld')] },
    {
      key: 'deadline_crc_report',
      title: "Deadline: the CRC's report (4.3.1(vi))",
      kind: 'partition',
      total: cell('total', 'With this deadline', null, 'fewer_than_k'),
      cells: [cell('met', 'Met', null, 'fewer_than_k')],
    },
  ],
  medians: [
    { step: 'received_to_closed', label: 'Received to closed', median_days: 12.5, suppressed: false },
    { step: 'route_to_response', label: 'Formal route chosen to written response', median_days: null, suppressed: true },
  ],
};

function renderAt(path: string) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/statistics" element={<StatisticsPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('a count of the statistics, in words (6)', () => {
  it('never shows a hidden count, and says what the reader may take from it', () => {
    expect(cellText({ count: 9, mark: 'shown' }, 5)).toBe('9');
    expect(cellText({ count: null, mark: 'fewer_than_k' }, 5)).toBe('fewer than 5');
    expect(cellText({ count: null, mark: 'fewer_than_k' }, 10)).toBe('fewer than 10');
    expect(cellText({ count: null, mark: 'suppressed' }, 5)).toBe('hidden (5 or more)');
    expect(cellText({ count: null, mark: 'withheld' }, 5)).toBe('withheld');
    expect(medianText({ step: 's', label: 'l', median_days: 3, suppressed: false }, 5)).toBe('3 days');
    expect(medianText({ step: 's', label: 'l', median_days: 1, suppressed: false }, 5)).toBe('1 day');
    expect(medianText({ step: 's', label: 'l', median_days: null, suppressed: true }, 5)).toBe('not shown (fewer than 5 complaints)');
  });

  it("refuses a period that ends before it starts, and takes the server's file name", () => {
    expect(periodError('2026-02-01', '2026-01-31')).toBe('The end of the period must be on or after its start.');
    expect(periodError('2026-02-01', '2026-02-01')).toBeUndefined();
    expect(periodError('', '2026-02-01')).toBeUndefined();
    const r = new Response('', { headers: { 'Content-Disposition': 'attachment; filename="statistics-2025-01-01-2026-12-07.csv"' } });
    expect(filenameOf(r, 'x.csv')).toBe('statistics-2025-01-01-2026-12-07.csv');
    expect(filenameOf(new Response(''), 'x.csv')).toBe('x.csv');
  });
});

describe('the statistics screen (6)', () => {
  it("shows the period's tables with hidden counts in words, deadline adherence and medians", async () => {
    const { sent } = fakeApi({ 'GET /api/statistics': { json: REPORT } });
    renderAt('/statistics?from=2025-01-01&to=2026-12-07');
    await screen.findByRole('heading', { level: 2, name: 'Complaints closed from Wednesday, January 1, 2025 to Monday, December 7, 2026' });
    expect(sent[0]!.path).toBe('/api/statistics?from=2025-01-01&to=2026-12-07');
    const classes = screen.getByRole('table', { name: 'Record class' });
    const rows = within(classes).getAllByRole('row').map((r) => r.textContent);
    expect(rows).toEqual(['ValueComplaints', 'Redirected9', 'Withdrawnfewer than 7', 'Formalhidden (7 or more)']);
    expect(screen.getByRole('table', { name: 'Grounds (2.2)' }).textContent).toContain('withheld');
    const adherence = screen.getByRole('region', { name: 'Deadline adherence' });
    expect(within(adherence).getByRole('table', { name: "Deadline: the CRC's report (4.3.1(vi))" }).textContent).toContain('With this deadlinefewer than 7');
    const medians = screen.getByRole('table', { name: 'Median days between steps' }).textContent;
    expect(medians).toContain('Received to closed12.5 days');
    expect(medians).toContain('not shown (fewer than 7 complaints)');
    expect(screen.getByRole('region', { name: 'Why some counts are not shown' }).textContent).toContain('no count under 7 is shown');
  });

  it('says only that there were too few when under k closed', async () => {
    fakeApi({ 'GET /api/statistics': { json: { ...REPORT, total: null, too_few: true, tables: [], medians: [] } } });
    renderAt('/statistics');
    await screen.findByText('Fewer than 7 complaints closed in this period. To protect the people involved, nothing else is shown.');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('asks again for the period chosen, and puts the API refusal on its field', async () => {
    const { sent } = fakeApi({
      'GET /api/statistics': (s) =>
        s.path.includes('from=2026-03-01')
          ? { status: 422, json: { title: 'Validation failed', status: 422, detail: 'x', errors: [{ field: 'from', rule: 'date', message: 'not before the policy was implemented' }] } }
          : { json: REPORT },
    });
    const user = userEvent.setup();
    renderAt('/statistics');
    // The API's default period fills the form once read.
    await screen.findByRole('table', { name: 'Record class' });
    const form = screen.getByRole('form', { name: 'Period' });
    const from = within(form).getByLabelText('From') as HTMLInputElement;
    const to = within(form).getByLabelText('To') as HTMLInputElement;
    await waitFor(() => expect(from.value).toBe('2025-01-01'));
    // An end before the start is refused here: nothing is asked.
    await user.clear(to);
    await user.type(to, '2024-12-31');
    await user.click(within(form).getByRole('button', { name: 'Show the report' }));
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(form.textContent).toContain('The end of the period must be on or after its start.');
    expect(sent).toHaveLength(1);

    await user.clear(from);
    await user.type(from, '2026-03-01');
    await user.clear(to);
    await user.type(to, '2026-06-30');
    await user.click(within(form).getByRole('button', { name: 'Show the report' }));
    await waitFor(() => expect(sent.at(-1)!.path).toBe('/api/statistics?from=2026-03-01&to=2026-06-30'));
    const fromNow = await screen.findByLabelText('From');
    await waitFor(() => expect(fromNow.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('form', { name: 'Period' }).textContent).toContain('not before the policy was implemented');
  });
});
