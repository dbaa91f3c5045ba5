import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { fakeApi } from '../test/http';
import UpcomingDestructions from './UpcomingDestructions';

afterEach(() => vi.unstubAllGlobals());

const DUE = { record_type: 'consultation', id: 'k1', reference: null, record_class: 'consultation', closed_on: '2026-11-25', due_on: '2099-12-25', held: false, carry_out_on: null };
const SCHEDULED = { record_type: 'complaint', id: 'c1', reference: 'C-ABCDEF', record_class: 'redirected', closed_on: '2026-01-02', due_on: '2026-12-01', held: false, carry_out_on: '2099-12-31' };

function renderIt() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <UpcomingDestructions />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('records due for destruction (5.1)', () => {
  it('lists each with its class, date and state, links to it, and places a hold with a reason', async () => {
    let held = false;
    const { sent } = fakeApi({
      'GET /api/retention/upcoming': () => ({ json: [{ ...DUE, held }, SCHEDULED] }),
      'POST /api/retention/consultations/k1/hold': () => {
        held = true;
        return { status: 201, json: { id: 'h1', reason: 'Kept', placed_by: 'u1', placed_at: '2026-12-07T12:00:00Z' } };
      },
    });
    const user = userEvent.setup();
    renderIt();
    const table = await screen.findByRole('table', { name: '2 records due for destruction' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(within(first!).getByRole('link', { name: /^Consultation of Wednesday, November 25, 2026$/ }).getAttribute('href')).toBe('/consultations/k1');
    expect(first!.textContent).toContain('Consultation (4.1)');
    expect(first!.textContent).toContain('Due');
    expect(within(second!).getByRole('link', { name: 'C-ABCDEF' }).getAttribute('href')).toBe('/complaints/c1');
    expect(second!.textContent).toContain('Destruction scheduled for Thursday, December 31, 2099');

    await user.click(within(first!).getByRole('button', { name: /Place a legal hold on Consultation of/ }));
    const form = screen.getByRole('form', { name: /Place a legal hold on Consultation of/ });
    // No reason: refused here, nothing sent, the message on the field.
    await user.click(within(form).getByRole('button', { name: 'Place the hold' }));
    const reason = within(form).getByLabelText(/Reason/);
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(form.textContent).toContain('Give a reason: it is kept with the record.');
    expect(sent.some((s) => s.method === 'POST')).toBe(false);

    await user.type(reason, 'The member asked that the notes be kept.');
    await user.click(within(form).getByRole('button', { name: 'Place the hold' }));
    await screen.findByText(/is held: it will not be destroyed/);
    expect(JSON.parse(sent.find((s) => s.method === 'POST')!.body)).toEqual({ reason: 'The member asked that the notes be kept.' });
    await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')[1]!.textContent).toContain('Held'));
  });

  it("shows the API's refusal of the reason on the field", async () => {
    fakeApi({
      'GET /api/retention/upcoming': { json: [DUE] },
      'POST /api/retention/consultations/k1/hold': {
        status: 422,
        json: { title: 'Validation failed', status: 422, detail: 'x', errors: [{ field: 'reason', rule: 'max_length', message: 'at most 2000 characters' }] },
      },
    });
    const user = userEvent.setup();
    renderIt();
    await user.click(await screen.findByRole('button', { name: /Place a legal hold on/ }));
    const form = screen.getByRole('form', { name: /Place a legal hold on/ });
    await user.type(within(form).getByLabelText(/Reason/), 'Too long, says the API.');
    await user.click(within(form).getByRole('button', { name: 'Place the hold' }));
    const reason = within(form).getByLabelText(/Reason/);
    await waitFor(() => expect(reason.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = reason.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy.split(' ').pop()!)?.textContent).toBe('at most 2000 characters');
  });
});
