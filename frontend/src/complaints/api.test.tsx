import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { fakeApi } from '../test/http';
import { changeArgs, keys, useComplaint, useComplaintChange } from './api';

afterEach(() => vi.unstubAllGlobals());

function wrapper(client: QueryClient) {
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const ID = '5f0c1e2a-0000-4000-8000-000000000001';

describe('complaint hooks', () => {
  it('keeps the ETag of the complaint as read', async () => {
    fakeApi({ [`GET /api/complaints/${ID}`]: { json: { id: ID, version: 3 }, headers: { ETag: '"abc-v3"' } } });
    const client = new QueryClient();
    const { result } = renderHook(() => useComplaint(ID), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.data?.etag).toBe('"abc-v3"'));
  });

  it('sends If-Match with that ETag, and reads the complaint again after the change', async () => {
    const { sent } = fakeApi({
      [`POST /api/complaints/${ID}/withdraw`]: { json: { id: ID }, headers: { ETag: '"abc-v4"' } },
      [`GET /api/complaints/${ID}`]: { json: { id: ID, version: 4 }, headers: { ETag: '"abc-v4"' } },
    });
    const client = new QueryClient();
    client.setQueryData(keys.complaint(ID), { data: { id: ID, version: 3 }, etag: '"abc-v3"' });
    const { result } = renderHook(
      () =>
        useComplaintChange(ID, (_: null, ifMatch: string) =>
          unwrap(api.POST('/api/complaints/{complaint_id}/withdraw', changeArgs(ID, ifMatch))),
        ),
      { wrapper: wrapper(client) },
    );
    await act(() => result.current.mutateAsync(null));
    expect(sent[0]?.headers.get('If-Match')).toBe('"abc-v3"');
    await waitFor(() => expect(client.getQueryState(keys.complaint(ID))?.isInvalidated).toBe(true));
  });

  it('does not refresh the complaint on a 412, so what was typed and read stay together', async () => {
    fakeApi({
      [`POST /api/complaints/${ID}/withdraw`]: { status: 412, json: { title: 'Changed by someone else', status: 412, detail: 'reload' } },
    });
    const client = new QueryClient();
    client.setQueryData(keys.complaint(ID), { data: { id: ID, version: 3 }, etag: '"abc-v3"' });
    const { result } = renderHook(
      () =>
        useComplaintChange(ID, (_: null, ifMatch: string) =>
          unwrap(api.POST('/api/complaints/{complaint_id}/withdraw', changeArgs(ID, ifMatch))),
        ),
      { wrapper: wrapper(client) },
    );
    await act(async () => {
      await result.current.mutateAsync(null).catch(() => undefined);
    });
    await waitFor(() => expect(result.current.error).toMatchObject({ status: 412 }));
    expect(client.getQueryState(keys.complaint(ID))?.isInvalidated).toBe(false);
  });
});
