// Query hooks for an ombudsperson drawn on a proposed Complaint Review Committee (4.3.1(v)):
// the panels they are drawn on (case reference only) and declaring a conflict on one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type ProposedPanel = Schemas['ProposedPanelForMember'];

export const keys = { proposals: ['committee-proposals'] as const };

export function useMyProposals(enabled: boolean) {
  return useQuery({
    queryKey: keys.proposals,
    queryFn: () => unwrap(api.GET('/api/committee-proposals', { params: { query: { limit: 200 } } })),
    enabled,
  });
}

/** The drawn member cannot read the complaint: If-Match is the ETag the list gave for it. */
export function useDeclareWhenDrawn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (panel: ProposedPanel) =>
      unwrap(
        api.POST('/api/complaints/{complaint_id}/ombudsperson-conflict', {
          params: { path: { complaint_id: panel.complaint_id }, header: { 'If-Match': panel.etag } },
        }),
      ),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.proposals }),
  });
}
