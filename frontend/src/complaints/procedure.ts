// Query hooks for the records hanging off a complaint: informal attempts, the letter and
// attachments, the response, the CRC, the investigation and what follows it.
import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import { keys } from './api';

export type Attempt = Schemas['AttemptOut'];
export type Letter = Schemas['LetterOut'];
export type Attachment = Schemas['AttachmentOut'];
export type ResponseStatus = Schemas['ResponseStatusOut'];
export type Eligibility = Schemas['EligibilityTable'];
export type Committee = Schemas['CommitteeForCaseWorker'];
export type Entry = Schemas['InvestigationEntryOut'];
export type Conclusions = Schemas['ConclusionsOut'];
export type Recommendation = Schemas['RecommendationOut'];
export type Disclosure = Schemas['DisclosureOut'];
export type PartyNotice = Schemas['PartyNoticeOut'];

const path = (id: string) => ({ params: { path: { complaint_id: id } } });

/** A 404 here means "none yet" (no CRC struck, not the intake's table), not an error. */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function useAttempts(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'attempts'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/informal-attempts', path(id))),
    enabled,
  });
}

export function useLetter(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'letter'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/letter', path(id))),
    enabled,
  });
}

export function useAttachments(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'attachments'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/attachments', path(id))),
    enabled,
  });
}

export function useResponseStatus(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'response'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/response-status', path(id))),
    enabled,
  });
}

export function useEligibility(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'eligibility'),
    queryFn: () => orNull(unwrap(api.GET('/api/complaints/{complaint_id}/committee/eligibility', path(id)))),
    enabled,
  });
}

export function useCommittee(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'committee'),
    queryFn: () => orNull(unwrap(api.GET('/api/complaints/{complaint_id}/committee', path(id)))),
    enabled,
  });
}

export function useEntries(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'investigation'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/investigation', path(id))),
    enabled,
  });
}

export function useConclusions(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'conclusions'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/conclusions', path(id))),
    enabled,
  });
}

export function useRecommendations(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'recommendations'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/recommendations', path(id))),
    enabled,
  });
}

export function useDisclosures(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'disclosures'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/disclosures', path(id))),
    enabled,
  });
}

export function usePartyNotices(id: string, enabled = true) {
  return useQuery({
    queryKey: keys.part(id, 'notices'),
    queryFn: () => unwrap(api.GET('/api/complaints/{complaint_id}/party-notices', path(id))),
    enabled,
  });
}
