// Query hooks for records' retention (5.1): what falls due, a record's schedule, legal
// holds, undoing a scheduled destruction, and the destruction register.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type Upcoming = Schemas['UpcomingDestruction'];
export type RecordRetention = Schemas['RecordRetention'];
export type RecordType = Schemas['RecordType'];
export type AdminHold = Schemas['HoldForAdministrator'];
export type AdminScheduled = Schemas['ScheduledForAdministrator'];
export type DestructionEntry = Schemas['DestructionEntry'];

export const keys = {
  all: ['retention'] as const,
  upcoming: ['retention', 'upcoming'] as const,
  record: (type: RecordType, id: string) => ['retention', type, id] as const,
  holds: ['retention', 'holds'] as const,
  scheduled: ['retention', 'scheduled'] as const,
  register: (cursor: string | null) => ['retention', 'register', cursor] as const,
};

/** The signed-in ombudsperson's records due for destruction within the warning horizon. */
export function useUpcoming() {
  return useQuery({ queryKey: keys.upcoming, queryFn: () => unwrap(api.GET('/api/retention/upcoming')) });
}

export function useRecordRetention(type: RecordType, id: string, enabled = true) {
  return useQuery({
    queryKey: keys.record(type, id),
    enabled,
    queryFn: () =>
      type === 'complaint'
        ? unwrap(api.GET('/api/retention/complaints/{complaint_id}', { params: { path: { complaint_id: id } } }))
        : unwrap(api.GET('/api/retention/consultations/{consultation_id}', { params: { path: { consultation_id: id } } })),
  });
}

export type RetentionAction = 'hold' | 'lift' | 'restore';

export interface ActOn {
  type: RecordType;
  id: string;
  reason: string;
}

function call(action: RetentionAction, { type, id, reason }: ActOn): Promise<unknown> {
  const body = { reason };
  if (type === 'complaint') {
    const params = { path: { complaint_id: id } };
    if (action === 'hold') return unwrap(api.POST('/api/retention/complaints/{complaint_id}/hold', { params, body }));
    if (action === 'lift') return unwrap(api.POST('/api/retention/complaints/{complaint_id}/hold/lift', { params, body }));
    return unwrap(api.POST('/api/retention/complaints/{complaint_id}/restore', { params, body }));
  }
  const params = { path: { consultation_id: id } };
  if (action === 'hold') return unwrap(api.POST('/api/retention/consultations/{consultation_id}/hold', { params, body }));
  if (action === 'lift') return unwrap(api.POST('/api/retention/consultations/{consultation_id}/hold/lift', { params, body }));
  return unwrap(api.POST('/api/retention/consultations/{consultation_id}/restore', { params, body }));
}

/** Place a hold, lift one or undo a scheduled destruction; everything about retention is read again. */
export function useRetentionAction(action: RetentionAction) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (vars: ActOn) => call(action, vars),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.all }), qc.invalidateQueries({ queryKey: ['complaint'] })]),
  });
}

export function useHolds() {
  return useQuery({ queryKey: keys.holds, queryFn: () => unwrap(api.GET('/api/retention/holds')) });
}

export function useScheduled() {
  return useQuery({ queryKey: keys.scheduled, queryFn: () => unwrap(api.GET('/api/retention/scheduled')) });
}

export function useDestructionRegister(cursor: string | null) {
  return useQuery({
    queryKey: keys.register(cursor),
    queryFn: () => unwrap(api.GET('/api/retention/register', { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })),
  });
}
