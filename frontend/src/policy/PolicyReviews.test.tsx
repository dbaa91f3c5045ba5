import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { fakeApi } from '../test/http';
import PolicyReviews from './PolicyReviews';

afterEach(() => vi.unstubAllGlobals());

const due = { id: 'd1', kind: 'policy_review', summary: 'Policy review', reference: null, due_on: '2020-01-15', status: 'open', tombstone: false, satisfied_on: null, sequence: 1, updated_at: '2026-12-01T00:00:00Z', rule: {} };
const other = { ...due, id: 'd2', kind: 'crc_report', reference: 'C-ABCDEF' };

describe('the policy review (6)', () => {
  it('shows the review deadline to the officers and records a review held', async () => {
    let held: unknown[] = [];
    const { sent } = fakeApi({
      'GET /api/deadlines': { json: { items: [due, other], next_cursor: null } },
      'GET /api/policy-reviews': () => ({ json: held }),
      'POST /api/policy-reviews': (s) => {
        const body = JSON.parse(s.body) as { held_on: string; note: string };
        held = [{ id: 'r1', ...body, recorded_at: '2026-12-07T16:00:00Z', deadline_due_on: '2020-01-15', deadline_status: 'met_late', report_from: '2025-01-01', report_to: body.held_on }];
        return { status: 201, json: held[0] };
      },
    });
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter>
          <PolicyReviews />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const section = await screen.findByRole('region', { name: 'Policy review (6)' });
    // Only the policy review deadline, open and past its date: overdue.
    await within(section).findByText('Overdue');
    expect(section.textContent).toContain('Policy review (6):');
    expect(section.textContent).not.toContain('CRC');
    await within(section).findByText('No review recorded yet.');

    await userEvent.click(within(section).getByRole('button', { name: 'Record a policy review held' }));
    const form = within(section).getByRole('form', { name: 'Record a policy review held' });
    fireEvent.change(within(form).getByLabelText(/Held on/), { target: { value: '2026-12-01' } });
    await userEvent.type(within(form).getByLabelText(/Note/), 'Reviewed; no change.');
    await userEvent.click(within(form).getByRole('button', { name: 'Record the review' }));
    await waitFor(() => expect(section.textContent).toContain('Reviewed; no change.'));
    // 6: the report the review looked at, one click away.
    const link = within(section).getByRole('link', { name: /^Report for this review period/ });
    expect(link.getAttribute('href')).toBe('/statistics?from=2025-01-01&to=2026-12-01');
    expect(section.textContent).toContain('(Wednesday, January 1, 2025 to Tuesday, December 1, 2026)');
    const post = sent.find((s) => s.method === 'POST');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ held_on: '2026-12-01', note: 'Reviewed; no change.' });
  });
});
