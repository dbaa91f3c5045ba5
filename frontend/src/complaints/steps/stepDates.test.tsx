import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { fakeApi } from '../../test/http';
import { keys, type Detail } from '../api';
import { ComplaintProvider, type Part } from '../context';
import { PartyNoticesSection } from '../sections/procedure';
import { NotifyOfficersStep } from './formalSteps';
import { RedirectStep } from './intakeSteps';

afterEach(() => vi.unstubAllGlobals());

const ID = '5f0c1e2a-0000-4000-8000-000000000021';
const ETAG = '"abc-v5"';

function renderIn(children: ReactNode, parts: Part[] = ['handler', 'intake'], allowed: string[] = []) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const detail = { id: ID, version: 5, stage: 'review', allowed_actions: allowed } as unknown as Detail;
  client.setQueryData(keys.complaint(ID), { data: detail, etag: ETAG });
  const closeStep = vi.fn();
  render(
    <QueryClientProvider client={client}>
      <ComplaintProvider value={{ id: ID, detail, parts: new Set(parts), refreshing: false, reload: vi.fn(), closeStep }}>{children}</ComplaintProvider>
    </QueryClientProvider>,
  );
  return { closeStep };
}

describe('the date a step happened', () => {
  it('sends the day the table officers were told, or none for today (4.3.1(iii))', async () => {
    const { sent } = fakeApi({ [`POST /api/complaints/${ID}/notify-table-officers`]: { json: {}, headers: { ETag: '"abc-v6"' } } });
    const { closeStep } = renderIn(<NotifyOfficersStep />);
    fireEvent.change(screen.getByLabelText('Date it happened (optional)'), { target: { value: '2026-12-01' } });
    await userEvent.click(screen.getByRole('button', { name: 'Tell the table officers' }));
    await waitFor(() => expect(closeStep).toHaveBeenCalledOnce());
    const post = sent.find((s) => s.method === 'POST');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ occurred_on: '2026-12-01' });
    expect(post?.headers.get('If-Match')).toBe(ETAG);
  });

  it('leaves the date out when none is given', async () => {
    const { sent } = fakeApi({ [`POST /api/complaints/${ID}/notify-table-officers`]: { json: {} } });
    const { closeStep } = renderIn(<NotifyOfficersStep />);
    await userEvent.click(screen.getByRole('button', { name: 'Tell the table officers' }));
    await waitFor(() => expect(closeStep).toHaveBeenCalledOnce());
    expect(JSON.parse(sent[0]?.body ?? '{}')).toEqual({ occurred_on: null });
  });

  it('shows a refused redirection date beside its field, in words', async () => {
    const { sent } = fakeApi({
      [`POST /api/complaints/${ID}/redirect`]: {
        status: 422,
        json: {
          title: 'Invalid input',
          status: 422,
          detail: 'Invalid date in: occurred_on.',
          errors: [{ field: 'occurred_on', rule: 'not_in_future', message: 'must not be after today' }],
        },
      },
    });
    renderIn(<RedirectStep />);
    await userEvent.click(screen.getByLabelText('The grievance procedure', { exact: false }));
    fireEvent.change(screen.getByLabelText('Date it happened (optional)'), { target: { value: '2026-11-30' } });
    await userEvent.click(screen.getByRole('button', { name: 'Close as redirected' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Date it happened: must not be after today');
    expect(alert.textContent).not.toContain('occurred_on');
    expect(screen.getByLabelText('Date it happened (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(JSON.parse(sent[0]?.body ?? '{}')).toEqual({ redirected_to: 'grievance_procedure', occurred_on: '2026-11-30' });
  });
});

const owed = { id: 'n1', stage: 'review', party: 'other_party', owed_since: '2026-12-01T15:00:00Z', owed: true, told_on: null, method: null, waived_at: null, waived_by: null, waiver_reason: null };
const waived = { ...owed, id: 'n2', party: 'member_complainant', owed: false, waived_at: '2026-12-02T15:00:00Z', waived_by: 'u1', waiver_reason: 'Withdrawn before any contact.' };

describe('waiving a notice owed to a party (4.3.1(vii))', () => {
  it('lets the handling ombudsperson waive an owed notice with the reason', async () => {
    const { sent } = fakeApi({
      [`GET /api/complaints/${ID}/party-notices`]: { json: [owed, waived] },
      [`POST /api/complaints/${ID}/party-notices/n1/waive`]: { json: { ...owed, owed: false, waived_at: '2026-12-03T15:00:00Z', waiver_reason: 'Left the Local.' } },
    });
    renderIn(<PartyNoticesSection />, ['handler', 'intake']);
    const table = await screen.findByRole('table', { name: '1 notice still owed' });
    expect(table.textContent).toContain('Waived');
    expect(table.textContent).toContain('Withdrawn before any contact.');
    // Only the owed notice offers the waiver.
    expect(within(table).getAllByRole('button', { name: /^Waive the notice to/ })).toHaveLength(1);
    await userEvent.click(within(table).getByRole('button', { name: /^Waive the notice to the other party/i }));
    const form = screen.getByRole('form', { name: 'Waive the notice (4.3.1(vii))' });
    await userEvent.type(within(form).getByLabelText(/Reason/), 'Left the Local.');
    await userEvent.click(within(form).getByRole('button', { name: 'Waive the notice' }));
    await waitFor(() => expect(sent.some((s) => s.method === 'POST')).toBe(true));
    const post = sent.find((s) => s.method === 'POST');
    expect(post?.path).toBe(`/api/complaints/${ID}/party-notices/n1/waive`);
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ reason: 'Left the Local.' });
    expect(post?.headers.get('If-Match')).toBe(ETAG);
  });

  it('offers a CRC member to record the party told (as allowed_actions lists it), not to waive', async () => {
    fakeApi({ [`GET /api/complaints/${ID}/party-notices`]: { json: [owed] } });
    renderIn(<PartyNoticesSection />, ['crc_member'], ['record_party_notice']);
    const table = await screen.findByRole('table', { name: '1 notice still owed' });
    expect(within(table).getByRole('button', { name: 'Record the other party told of the stage Formal: review with the other party' })).toBeTruthy();
    expect(within(table).queryByRole('button', { name: /^Waive/ })).toBeNull();
  });
});
