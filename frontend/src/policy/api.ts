// Query hooks for the policy reviews the Executive holds (6), and the review deadline.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type PolicyReview = Schemas['PolicyReviewOut'];

export const keys = {
  reviews: ['policy-reviews'] as const,
  deadlines: ['policy-reviews', 'deadlines'] as const,
};

export function usePolicyReviews() {
  return useQuery({ queryKey: keys.reviews, queryFn: () => unwrap(api.GET('/api/policy-reviews')) });
}

/** The policy review deadlines among the caller's deadlines (officers and administrators see them). */
export function usePolicyReviewDeadlines() {
  return useQuery({
    queryKey: keys.deadlines,
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/deadlines', { params: { query: { limit: 200 } } }));
      return page.items.filter((d) => d.kind === 'policy_review' && !d.tombstone);
    },
  });
}

export function useRecordPolicyReview() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['PolicyReviewIn']) => unwrap(api.POST('/api/policy-reviews', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.reviews }),
  });
}
