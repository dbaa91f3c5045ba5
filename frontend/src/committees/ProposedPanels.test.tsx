import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fakeApi } from '../test/http';
import ProposedPanels from './ProposedPanels';

afterEach(() => vi.unstubAllGlobals());

const ID = '5f0c1e2a-0000-4000-8000-00000000000a';
const item = (declared: boolean) => ({
  complaint_id: ID,
  reference: 'C-PANEL1',
  proposed_at: '2026-11-20T15:00:00Z',
  etag: declared ? '"5f0c1e2a0000-v9"' : '"5f0c1e2a0000-v8"',
  conflict_declared: declared,
});

describe('proposed for a Complaint Review Committee (4.3.1(v))', () => {
  it('declares a conflict with the ETag the list gave, after a confirmation', async () => {
    let declared = false;
    const { sent } = fakeApi({
      'GET /api/committee-proposals': () => ({ json: { items: [item(declared)], next_cursor: null } }),
      [`POST /api/complaints/${ID}/ombudsperson-conflict`]: () => {
        declared = true;
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <ProposedPanels />
      </QueryClientProvider>,
    );
    expect(await screen.findByRole('heading', { name: 'Proposed for a Complaint Review Committee' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: 'C-PANEL1' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Declare a conflict on C-PANEL1' }));
    expect(sent.filter((s) => s.method === 'POST')).toEqual([]); // not before the confirmation
    await user.click(screen.getByRole('button', { name: 'Yes, declare my conflict on C-PANEL1' }));
    expect(await screen.findByText('Conflict declared')).toBeTruthy();
    const posts = sent.filter((s) => s.method === 'POST');
    expect(posts.map((s) => s.headers.get('If-Match'))).toEqual(['"5f0c1e2a0000-v8"']);
  });

  it('shows nothing when the ombudsperson is drawn on no panel', async () => {
    const { sent } = fakeApi({ 'GET /api/committee-proposals': { json: { items: [], next_cursor: null } } });
    const { container } = render(
      <QueryClientProvider client={new QueryClient()}>
        <ProposedPanels />
      </QueryClientProvider>,
    );
    await vi.waitFor(() => expect(sent.length).toBe(1));
    expect(container.textContent).toBe('');
  });
});
