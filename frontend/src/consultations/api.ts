// Query hooks for confidential consultations (4.1): recorded without opening a complaint,
// seen only by the ombudsperson who held them. The list carries no names or notes.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type Consultation = Schemas['ConsultationOut'];
export type ConsultationSummary = Schemas['ConsultationSummary'];
export type ConsultationCreate = Schemas['ConsultationCreate'];

export const keys = {
  list: ['consultations'] as const,
  one: (id: string) => ['consultations', id] as const,
};

const PAGE = 50;

export function useConsultations() {
  return useInfiniteQuery({
    queryKey: keys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/consultations', { params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useConsultation(id: string) {
  return useQuery({
    queryKey: keys.one(id),
    queryFn: () => unwrap(api.GET('/api/consultations/{consultation_id}', { params: { path: { consultation_id: id } } })),
  });
}

export function useRecordConsultation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ConsultationCreate) => unwrap(api.POST('/api/consultations', { body })),
    onSuccess: (created) => {
      qc.setQueryData(keys.one(created.id), created);
      return qc.invalidateQueries({ queryKey: keys.list, exact: true });
    },
  });
}
