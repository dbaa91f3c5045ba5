// Query hooks for the table officers: the non-identifying status board (4.3.1(iv)),
// striking the CRC (4.3.1(v)) and the recommendations disclosed to them (5.1).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { ApiError, unwrap, unwrapWithEtag } from '../api/problem';

export type Status = Schemas['ComplaintStatusForOfficer'];
export type Proposal = Schemas['CommitteeProposalForOfficer'];
export type OfficerRecommendation = Schemas['RecommendationForOfficer'];
export type StaffResourceChoice = Schemas['StaffResourceForOfficer'];

export const keys = {
  board: (closed: boolean) => ['status', { closed }] as const,
  one: (id: string) => ['status', id] as const,
  proposal: (id: string) => ['status', id, 'proposal'] as const,
  recommendations: (id: string) => ['status', id, 'recommendations'] as const,
  staffResources: (id: string) => ['status', id, 'staff-resources'] as const,
};

const path = (id: string) => ({ params: { path: { complaint_id: id } } });

export function useBoard(includeClosed: boolean) {
  return useQuery({
    queryKey: keys.board(includeClosed),
    queryFn: () => unwrap(api.GET('/api/status', { params: { query: { limit: 200, include_closed: includeClosed } } })),
  });
}

export function useStatus(id: string) {
  return useQuery({ queryKey: keys.one(id), queryFn: () => unwrapWithEtag(api.GET('/api/status/{complaint_id}', path(id))) });
}

export function useProposal(id: string) {
  return useQuery({
    queryKey: keys.proposal(id),
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/status/{complaint_id}/committee/proposal', path(id)));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null; // none proposed yet
        throw e;
      }
    },
  });
}

/** 4.3.1(v): the staff resources of the two allowed kinds, to choose one for the panel. */
export function useStaffResources(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.staffResources(id),
    queryFn: () => unwrap(api.GET('/api/status/{complaint_id}/committee/staff-resources', path(id))),
    enabled,
  });
}

export function useOfficerRecommendations(id: string) {
  return useQuery({
    queryKey: keys.recommendations(id),
    queryFn: () => unwrap(api.GET('/api/status/{complaint_id}/recommendations', path(id))),
  });
}

/** A change sent with the ETag of the status as last read (412 when it moved). */
export function useStatusChange<V, R>(id: string, call: (vars: V, ifMatch: string) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (vars: V) => call(vars, qc.getQueryData<{ etag: string }>(keys.one(id))?.etag ?? ''),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['status'] }),
  });
}

export const changeArgs = (id: string, ifMatch: string) => ({
  params: { path: { complaint_id: id }, header: { 'If-Match': ifMatch } },
});
