import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import type { ReactNode } from 'react';
import { SessionProvider } from '../auth/session';
import { fakeApi } from '../test/http';
import { NotificationsBell } from './Bell';
import NotificationsPage from './NotificationsPage';
import FailedDeliveriesPage from './FailedDeliveriesPage';
import { UNREAD_REFRESH_MS } from './api';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const KINDS = [
  { kind: 'response_approaching', required: true, enabled: true },
  { kind: 'response_recorded', required: false, enabled: true },
];
const PREFS = { mode: 'immediate', kinds: KINDS, email: 'me@example.org', language: 'en', etag: '"abc-p1"' };
const note = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  kind: 'response_approaching',
  due_on: '2026-12-10',
  created_at: '2026-12-07T18:00:00Z',
  read_at: null,
  delivery: 'sent',
  complaint_id: 'c1',
  reference: 'C-ABCDEF',
  ...over,
});

function wrap(children: ReactNode) {
  return (
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <SessionProvider>{children}</SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>
  );
}

describe('the header’s notifications link', () => {
  it('shows the unread count, reads it again every minute, and never when signed out', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let unread = 2;
    const { sent } = fakeApi({ 'GET /api/notifications/unread-count': () => ({ json: { unread } }) });
    const { rerender } = render(wrap(<NotificationsBell signedIn />));
    expect(await screen.findByRole('link', { name: /Notifications 2 unread/ })).toBeTruthy();
    unread = 5;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(UNREAD_REFRESH_MS + 10);
    });
    expect(await screen.findByRole('link', { name: /Notifications 5 unread/ })).toBeTruthy();
    rerender(wrap(<NotificationsBell signedIn={false} />));
    const before = sent.length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(3 * UNREAD_REFRESH_MS);
    });
    expect(sent.length).toBe(before);
    expect(screen.queryByRole('link', { name: /Notifications/ })).toBeNull();
  });
});

describe('the notifications screen', () => {
  it('lists, marks read, and says plainly when an e-mail could not be delivered', async () => {
    let items: Record<string, unknown>[] = [note('n1'), note('n2', { kind: 'party_notices_owed', delivery: 'failed', reference: null, complaint_id: null })];
    const { sent } = fakeApi({
      'GET /api/notifications': () => ({ json: { items, next_cursor: null } }),
      'POST /api/notifications/n1/read': () => {
        items = items.map((n) => (n.id === 'n1' ? { ...n, read_at: '2026-12-07T19:00:00Z' } : n));
        return { json: items[0] };
      },
      'GET /api/notifications/preferences': { json: PREFS, headers: { ETag: '"abc-p1"' } },
    });
    const user = userEvent.setup();
    render(wrap(<NotificationsPage />));
    const table = await screen.findByRole('table', { name: '2 notifications, newest first, 2 unread' });
    expect(within(table).getByText('C-ABCDEF')).toBeTruthy();
    expect(within(table).getByText('Not delivered: check your address below')).toBeTruthy();
    expect(screen.getByText(/Some e-mails could not be delivered/)).toBeTruthy();
    await user.click(within(table).getByRole('button', { name: /^Mark read: A written response is due soon/ }));
    await screen.findByRole('table', { name: '2 notifications, newest first, 1 unread' });
    expect(sent.some((s) => s.method === 'POST' && s.path === '/api/notifications/n1/read')).toBe(true);
  });

  it('saves the choices with the version read; a required kind is always on', async () => {
    const { sent } = fakeApi({
      'GET /api/notifications': { json: { items: [], next_cursor: null } },
      'GET /api/notifications/preferences': { json: PREFS, headers: { ETag: '"abc-p1"' } },
      'PUT /api/notifications/preferences': (s) => ({ json: { ...PREFS, ...JSON.parse(s.body), etag: '"abc-p2"' }, headers: { ETag: '"abc-p2"' } }),
    });
    const user = userEvent.setup();
    render(wrap(<NotificationsPage />));
    const form = await screen.findByRole('form', { name: 'Your choices' });
    const required = within(form).getByLabelText(/A written response is due soon .*always on/);
    expect(required).toHaveProperty('disabled', true);
    expect(required).toHaveProperty('checked', true);
    await user.click(within(form).getByLabelText(/A written response was recorded/));
    await user.click(within(form).getByLabelText(/One e-mail a day/));
    await user.click(within(form).getByRole('button', { name: 'Save my choices' }));
    await screen.findByText('Your choices were saved.');
    const put = sent.find((s) => s.method === 'PUT')!;
    expect(put.headers.get('If-Match')).toBe('"abc-p1"');
    expect(JSON.parse(put.body)).toEqual({ mode: 'digest', muted: ['response_recorded'], email: 'me@example.org', language: 'en' });
  });
});

describe('the failed deliveries (administrators)', () => {
  it('sends one again with Retry', async () => {
    let failed = [{ id: 'd1', display_name: 'Ombudsperson U1', kind: 'party_notices_owed', attempts: 5, last_error: 'SMTPConnectError', created_at: '2026-12-07T18:00:00Z' }];
    fakeApi({
      'GET /api/notifications/failed-deliveries': () => ({ json: { items: failed, next_cursor: null } }),
      'POST /api/notifications/failed-deliveries/d1/retry': () => {
        failed = [];
        return { json: { id: 'd1', status: 'pending', attempts: 0 } };
      },
    });
    const user = userEvent.setup();
    render(wrap(<FailedDeliveriesPage />));
    const table = await screen.findByRole('table', { name: '1 failed delivery, newest first' });
    expect(within(table).getByText('SMTPConnectError')).toBeTruthy();
    await user.click(within(table).getByRole('button', { name: 'Retry the e-mail to Ombudsperson U1' }));
    await screen.findByText('The e-mail to Ombudsperson U1 is queued to be sent again.');
    await waitFor(() => expect(screen.getByText('No e-mail has failed.')).toBeTruthy());
  });
});
