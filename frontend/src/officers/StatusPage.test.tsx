import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, Route, Routes } from 'react-router';
import { fakeApi } from '../test/http';
import StatusPage from './StatusPage';

afterEach(() => vi.unstubAllGlobals());

const ID = '5f0c1e2a-0000-4000-8000-000000000009';
const STATUS = { id: ID, reference: 'C-ABCDEF', version: 7, stage: 'committee', awaiting: 'The CRC to be struck', crc_to_be_struck: true, recused_officers: 0, deadlines: [] };
const seats = [1, 2, 3].map((seat) => ({ seat, user_id: `o${seat}`, display_name: `Ombudsperson ${seat}`, available: true, can_redraw: true }));
const proposal = (version: number, staff: { user_id: string; display_name: string }) => ({ reference: 'C-ABCDEF', status: 'proposed', version, seats, staff_resource: staff, struck_on: null, discretionary_redraws_left: 1 });
const SAO = { user_id: 's1', display_name: 'Special Assignments Officer', kind: 'special_assignments_officer' };
const EQ = { user_id: 's2', display_name: 'Equality Representative', kind: 'equality_representative' };

describe('striking the CRC: the staff resource (4.3.1(v))', () => {
  it('offers the staff resources of the allowed kinds, or a fair draw', async () => {
    let current: ReturnType<typeof proposal> | null = null;
    const drawn = [SAO, EQ];
    const { sent } = fakeApi({
      [`GET /api/status/${ID}`]: { json: STATUS, headers: { ETag: '"abc-v7"' } },
      [`GET /api/status/${ID}/committee/proposal`]: () => (current ? { json: current } : { status: 404, json: { title: 'Not found', status: 404, detail: 'none' } }),
      [`GET /api/status/${ID}/committee/staff-resources`]: { json: [SAO, EQ] },
      [`GET /api/status/${ID}/recommendations`]: { json: [] },
      [`POST /api/status/${ID}/committee/proposal`]: (s) => {
        const chosen = JSON.parse(s.body).staff_resource_id as string | null;
        const { user_id, display_name } = chosen ? [SAO, EQ].find((x) => x.user_id === chosen)! : drawn.shift()!;
        current = proposal((current?.version ?? 0) + 1, { user_id, display_name });
        return { json: current };
      },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[`/status/${ID}`]}>
          <Routes>
            <Route path="/status/:id" element={<StatusPage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const group = await screen.findByRole('group', { name: /Staff resource for the next panel drawn/ });
    expect(within(group).getByLabelText('Draw one fairly')).toHaveProperty('checked', true);
    expect(within(group).getByLabelText(/^Equality Representative, Equality Representative \(Regional Office\)/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Propose a panel' }));
    await screen.findByText(/Proposed \(version 1\)/);

    // The officer chooses from the list: that one goes on the next panel drawn.
    await user.click(within(group).getByLabelText(/^Equality Representative,/));
    await user.click(screen.getByRole('button', { name: 'Draw a new panel' }));
    await screen.findByText(/Proposed \(version 2\)/);

    const posts = sent.filter((s) => s.method === 'POST');
    expect(posts.map((s) => JSON.parse(s.body))).toEqual([{ staff_resource_id: null }, { staff_resource_id: 's2' }]);
    expect(posts.every((s) => s.headers.get('If-Match') === '"abc-v7"')).toBe(true);
    expect(screen.getByRole('table', { name: 'The panel' }).textContent).toContain('Equality Representative');
  });
});

describe('striking the CRC: the day it was struck', () => {
  it('sends the date the officers give with the confirmation, and shows a refusal beside it', async () => {
    let confirms = 0;
    const { sent } = fakeApi({
      [`GET /api/status/${ID}`]: { json: STATUS, headers: { ETag: '"abc-v7"' } },
      [`GET /api/status/${ID}/committee/proposal`]: { json: proposal(1, SAO) },
      [`GET /api/status/${ID}/committee/staff-resources`]: { json: [SAO, EQ] },
      [`POST /api/status/${ID}/committee/confirm`]: () =>
        confirms++ === 0
          ? { status: 422, json: { title: 'Invalid input', status: 422, detail: 'Invalid date in: occurred_on.', errors: [{ field: 'occurred_on', rule: 'not_in_future', message: 'must not be after today' }] } }
          : { json: { ...proposal(1, SAO), status: 'confirmed', struck_on: '2026-12-01' } },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[`/status/${ID}`]}>
          <Routes>
            <Route path="/status/:id" element={<StatusPage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const date = await screen.findByLabelText('Date the CRC was struck (optional)');
    fireEvent.change(date, { target: { value: '2026-12-01' } });
    await user.click(screen.getByRole('button', { name: 'Confirm this panel: strike the CRC' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Date it happened: must not be after today');
    expect(alert.textContent).not.toContain('occurred_on');
    expect(date.getAttribute('aria-invalid')).toBe('true');
    const posts = sent.filter((s) => s.method === 'POST').map((s) => JSON.parse(s.body));
    expect(posts).toEqual([{ proposal_version: 1, occurred_on: '2026-12-01' }]);
  });
});

describe('a proposed panel: seats that cannot sit, bounded redraws (4.3.1(v))', () => {
  it('shows a seat not available with its redraw, and no redraw where none is left', async () => {
    const unavailable = {
      ...proposal(2, SAO),
      discretionary_redraws_left: 0,
      seats: [
        { seat: 1, user_id: 'o1', display_name: 'Ombudsperson 1', available: true, can_redraw: false },
        { seat: 2, user_id: 'o2', display_name: 'Ombudsperson 2', available: false, can_redraw: true },
        { seat: 3, user_id: 'o3', display_name: 'Ombudsperson 3', available: true, can_redraw: false },
      ],
    };
    const { sent } = fakeApi({
      [`GET /api/status/${ID}`]: { json: STATUS, headers: { ETag: '"abc-v7"' } },
      [`GET /api/status/${ID}/committee/proposal`]: { json: unavailable },
      [`GET /api/status/${ID}/committee/staff-resources`]: { json: [SAO] },
      [`POST /api/status/${ID}/committee/proposal/seats/2/redraw`]: { json: { ...unavailable, version: 3 } },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[`/status/${ID}`]}>
          <Routes>
            <Route path="/status/:id" element={<StatusPage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const table = await screen.findByRole('table', { name: 'The panel' });
    const seat2 = within(table).getByRole('row', { name: /Seat 2/ });
    expect(seat2.textContent).toContain('Not available');
    expect(within(table).getByRole('row', { name: /Seat 1/ }).textContent).not.toContain('Not available');
    expect(within(table).queryByRole('button', { name: 'Redraw seat 1' })).toBeNull();
    expect(within(table).queryByRole('button', { name: 'Redraw seat 3' })).toBeNull();
    expect(screen.getByText(/Redraws left for seats whose member can still sit: 0/)).toBeTruthy();
    await user.click(within(table).getByRole('button', { name: 'Redraw seat 2' }));
    await waitFor(() => expect(sent.some((s) => s.method === 'POST')).toBe(true));
    expect(sent.find((s) => s.method === 'POST')?.path).toBe(`/api/status/${ID}/committee/proposal/seats/2/redraw`);
  });
});
