import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fakeApi } from '../test/http';
import DisclosuresPage from './DisclosuresPage';

afterEach(() => vi.unstubAllGlobals());

const entry = (n: number, extra: object = {}) => ({
  id: `d${n}`,
  complaint_reference: `C-00000${n}`,
  purpose: 'corrective_action',
  disclosed_at: '2026-12-08T03:30:00Z',
  disclosed_by: { id: 'u5', display_name: 'Ombudsperson U5' },
  recipients: [
    { recipient: 'table officer officer-president', user_id: 'u7' },
    { recipient: 'table officer officer-treasurer', user_id: 'u8' },
  ],
  ...extra,
});

describe('the disclosure register (5.1)', () => {
  it('lists when, which complaint, the purpose, who and to whom, in Winnipeg time, a page at a time', async () => {
    const { sent } = fakeApi({
      'GET /api/disclosures': (s) =>
        s.path.includes('cursor=next-1')
          ? { json: { items: [entry(2, { purpose: 'required_by_law', recipients: [{ recipient: 'Winnipeg Police Service', user_id: null }] })], next_cursor: null } }
          : { json: { items: [entry(1)], next_cursor: 'next-1' } },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <DisclosuresPage />
      </QueryClientProvider>,
    );
    const table = await screen.findByRole('table', { name: 'Disclosures' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('C-000001');
    expect(row.textContent).toContain('Corrective action');
    expect(row.textContent).toContain('Ombudsperson U5');
    expect(row.textContent).toContain('table officer officer-president');
    expect(row.textContent).toContain('table officer officer-treasurer');
    // 03:30 UTC on Dec 8 is Monday Dec 7 in Winnipeg.
    expect(row.textContent).toMatch(/Mon, Dec\.? 7, 2026/);

    await user.click(screen.getByRole('button', { name: 'Older disclosures' }));
    const older = await screen.findByRole('table', { name: 'Disclosures (page 2)' });
    expect(older.textContent).toContain('Required by law');
    expect(older.textContent).toContain('Winnipeg Police Service (no account here)');
    expect(sent.map((s) => s.path)).toEqual(['/api/disclosures?limit=50', '/api/disclosures?limit=50&cursor=next-1']);
    expect(screen.queryByRole('button', { name: 'Older disclosures' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Newer disclosures' }));
    expect((await screen.findByRole('table', { name: 'Disclosures' })).textContent).toContain('C-000001');
  });
});
