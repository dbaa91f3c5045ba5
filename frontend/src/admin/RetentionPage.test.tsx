import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fakeApi } from '../test/http';
import RetentionPage from './RetentionPage';

afterEach(() => vi.unstubAllGlobals());

const HOLD = { id: 'h1', record_type: 'complaint', record_id: 'c1', reference: 'C-ABCDEF', placed_by: 'u1', placed_at: '2026-12-01T18:00:00Z', lifted_at: null };
const SCHEDULED = { id: 's1', record_type: 'consultation', record_id: '8508b949-e52b-4834-a2b4-a7868da07de9', reference: null, record_class: 'consultation', due_on: '2026-12-01', scheduled_at: '2026-12-01T12:00:00Z', carry_out_on: '2026-12-15' };
const entry = (n: number) => ({
  id: `e${n}`,
  record_class: 'redirected',
  record_id: `r${n}`,
  reference: `C-00000${n}`,
  period_days: 365,
  closed_on: '2025-11-01',
  due_on: '2026-11-01',
  scheduled_at: '2026-11-01T12:00:00Z',
  carried_out_at: '2026-11-15T12:00:00Z',
  carried_out_via: n === 1 ? 'scheduled_job' : 'command_line',
  carried_out_by: n === 1 ? null : 'u9',
});

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users': { json: { items: [{ id: 'u1', display_name: 'Ombudsperson U1' }, { id: 'u9', display_name: 'Demo Administrator' }], next_cursor: null } },
    'GET /api/retention/holds': { json: [HOLD] },
    'GET /api/retention/scheduled': { json: [SCHEDULED] },
    'GET /api/retention/register': (s: { path: string }) =>
      s.path.includes('cursor=next-1') ? { json: { items: [entry(2)], next_cursor: null } } : { json: { items: [entry(1)], next_cursor: 'next-1' } },
    ...extra,
  };
}

function renderIt() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RetentionPage />
    </QueryClientProvider>,
  );
}

describe("the administrators' retention screen (5.1)", () => {
  it('lifts a hold only after a reason and a confirmation', async () => {
    let lifted = false;
    const { sent } = fakeApi(
      routes({
        'GET /api/retention/holds': () => ({ json: lifted ? [] : [HOLD] }),
        'POST /api/retention/complaints/c1/hold/lift': () => {
          lifted = true;
          return { json: { ...HOLD, lifted_at: '2026-12-07T18:00:00Z' } };
        },
      }) as never,
    );
    const user = userEvent.setup();
    renderIt();
    const holds = await screen.findByRole('region', { name: 'Legal holds' });
    const table = await within(holds).findByRole('table', { name: '1 legal hold, oldest first' });
    await waitFor(() => expect(table.textContent).toContain('Ombudsperson U1'));
    await user.click(within(table).getByRole('button', { name: 'Lift the legal hold on C-ABCDEF' }));
    const form = within(holds).getByRole('form', { name: 'Lift the legal hold on C-ABCDEF' });
    await user.type(within(form).getByLabelText(/Reason/), 'The matter is settled.');
    await user.click(within(form).getByRole('button', { name: 'Lift the hold' }));
    // Asked first: nothing sent yet.
    const ask = within(form).getByRole('alertdialog');
    expect(ask.textContent).toContain('Lift the legal hold on C-ABCDEF? It may then be destroyed');
    expect(sent.some((s) => s.method === 'POST')).toBe(false);
    await user.click(within(ask).getByRole('button', { name: 'No, go back' }));
    await user.click(within(form).getByRole('button', { name: 'Lift the hold' }));
    await user.click(within(form).getByRole('button', { name: 'Yes: lift the hold' }));
    await within(holds).findByText('The legal hold on C-ABCDEF was lifted: the record follows its schedule again.');
    const posts = sent.filter((s) => s.method === 'POST');
    expect(posts.map((s) => [s.path, JSON.parse(s.body)])).toEqual([['/api/retention/complaints/c1/hold/lift', { reason: 'The matter is settled.' }]]);
    await within(holds).findByText('No legal hold stands.');
  });

  it('undoes a scheduled destruction of a consultation, which has no reference', async () => {
    const { sent } = fakeApi(
      routes({ [`POST /api/retention/consultations/${SCHEDULED.record_id}/restore`]: { json: { ...HOLD, record_type: 'consultation' } } }) as never,
    );
    const user = userEvent.setup();
    renderIt();
    const section = await screen.findByRole('region', { name: 'Scheduled destructions' });
    const row = (await within(section).findByRole('table')).querySelectorAll('tbody tr')[0]!;
    expect(row.textContent).toContain('Consultation 8508b949');
    expect(row.textContent).toContain('Tuesday, December 15, 2026');
    await user.click(within(section).getByRole('button', { name: 'Undo the destruction of Consultation 8508b949' }));
    const form = within(section).getByRole('form');
    await user.type(within(form).getByLabelText(/Reason/), 'Asked for by the member.');
    await user.click(within(form).getByRole('button', { name: 'Undo the destruction' }));
    await user.click(within(form).getByRole('button', { name: 'Yes: undo the destruction' }));
    await within(section).findByText(/was undone: the record is held/);
    expect(sent.filter((s) => s.method === 'POST').map((s) => s.path)).toEqual([`/api/retention/consultations/${SCHEDULED.record_id}/restore`]);
  });

  it('shows the register: class, reference, rule, dates and who ran it, a page at a time', async () => {
    fakeApi(routes() as never);
    const user = userEvent.setup();
    renderIt();
    const register = await screen.findByRole('region', { name: 'Destruction register' });
    const table = await within(register).findByRole('table', { name: 'Destructions' });
    const row = table.querySelectorAll('tbody tr')[0]!;
    expect(row.textContent).toContain('C-000001');
    expect(row.textContent).toContain('Complaint redirected (1.3), kept 365 days after closing');
    expect(row.textContent).toContain('The scheduled retention job');
    await user.click(within(register).getByRole('button', { name: 'Older destructions' }));
    const second = await within(register).findByRole('table', { name: 'Destructions (page 2)' });
    await waitFor(() => expect(second.textContent).toContain('Demo Administrator'));
    expect(second.textContent).toContain('The command line (ombuds retention run)');
  });
});
