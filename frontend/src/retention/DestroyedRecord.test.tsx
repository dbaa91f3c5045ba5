import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { ApiError } from '../api/problem';
import { fakeApi } from '../test/http';
import { DestroyedRecord, isDestroyed } from './DestroyedRecord';

afterEach(() => vi.unstubAllGlobals());

const gone = new ApiError(410, { title: 'Record destroyed', status: 410, detail: 'destroyed', destroyed_on: '2026-12-03' });

describe('a destroyed complaint (5.1)', () => {
  it('is told apart from other errors', () => {
    expect(isDestroyed(gone)).toBe(true);
    expect(isDestroyed(new ApiError(404, { title: 'Not found', status: 404, detail: '' }))).toBe(false);
    expect(isDestroyed(new Error('x'))).toBe(false);
  });

  it('says when it was destroyed and under which rule, from its tombstone', async () => {
    fakeApi({
      'GET /api/retention/complaints/c1': {
        json: { record_type: 'complaint', id: 'c1', reference: 'C-ABCDEF', record_class: 'withdrawn', period_days: 365, closed_on: '2025-11-01', due_on: '2026-11-01', hold: null, scheduled: null, destroyed_at: '2026-12-03T18:00:00Z' },
      },
    });
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter>
          <DestroyedRecord id="c1" error={gone} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Complaint C-ABCDEF: destroyed' })).toBeTruthy();
    const text = screen.getByRole('region', { name: 'This record was destroyed' }).textContent ?? '';
    expect(text).toContain('This record was destroyed on Thu, Dec 3, 2026');
    expect(text).toContain('under the rule “Complaint withdrawn, kept 365 days after closing”');
  });

  it('still says the day from the 410 when the tombstone cannot be read', async () => {
    fakeApi({});
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter>
          <DestroyedRecord id="c1" error={gone} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Complaint destroyed' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'This record was destroyed' }).textContent).toContain('This record was destroyed on Thursday, December 3, 2026');
  });
});
