// Query hooks for complaints as case workers see them. Every change sends If-Match with the
// ETag of the complaint as last read; the API answers 412 when someone else changed it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap, unwrapWithEtag } from '../api/problem';

export type Detail = Schemas['ComplaintDetail'];
export type Summary = Schemas['ComplaintSummary'];
export type TimelineEvent = Schemas['TimelineEventOut'];
export interface Versioned<T> {
  data: T;
  etag: string;
}

export const keys = {
  dashboard: (closed: boolean) => ['complaints', { closed }] as const,
  complaint: (id: string) => ['complaint', id] as const,
  part: (id: string, part: string) => ['complaint', id, part] as const,
  grounds: ['grounds'] as const,
};

const path = (id: string) => ({ params: { path: { complaint_id: id } } });

export function useDashboard(includeClosed: boolean) {
  return useQuery({
    queryKey: keys.dashboard(includeClosed),
    queryFn: () => unwrap(api.GET('/api/complaints', { params: { query: { limit: 200, include_closed: includeClosed } } })),
  });
}

export function useComplaint(id: string) {
  return useQuery({
    queryKey: keys.complaint(id),
    queryFn: () => unwrapWithEtag(api.GET('/api/complaints/{complaint_id}', path(id))),
  });
}

export function useTimeline(id: string) {
  return useQuery({
    queryKey: keys.part(id, 'timeline'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/timeline', path(id))),
  });
}

export function useGrounds() {
  return useQuery({ queryKey: keys.grounds, queryFn: () => unwrap(api.GET('/api/grounds')), staleTime: Infinity });
}

export function useCreateComplaint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ComplaintCreate']) => unwrapWithEtag(api.POST('/api/complaints', { body })),
    onSuccess: (result) => {
      qc.setQueryData(keys.complaint(result.data.id), result);
      void qc.invalidateQueries({ queryKey: ['complaints'] });
    },
  });
}

/** The ETag of the complaint as this tab last read it. */
export function useCurrentEtag(id: string): () => string {
  const qc = useQueryClient();
  return () => qc.getQueryData<Versioned<Detail>>(keys.complaint(id))?.etag ?? '';
}

/**
 * A change to the complaint: `call` gets the If-Match value. On success everything read
 * about the complaint is refreshed (its version moved); on 412 nothing is refreshed until
 * the user asks, so what they typed and what they read stay side by side.
 */
export function useComplaintChange<V, R>(id: string, call: (vars: V, ifMatch: string) => Promise<R>) {
  const qc = useQueryClient();
  const etag = useCurrentEtag(id);
  return useMutation({
    mutationFn: (vars: V) => call(vars, etag()),
    // The step counts as done once the complaint is read again: the next step must carry
    // the new version.
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: ['complaint', id] }), qc.invalidateQueries({ queryKey: ['complaints'] })]),
  });
}

export const changeArgs = (id: string, ifMatch: string) => ({
  params: { path: { complaint_id: id }, header: { 'If-Match': ifMatch } },
});
