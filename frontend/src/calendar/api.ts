// Query hooks for each user's calendar: the secret iCalendar feed and CalDAV connections.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type Connection = Schemas['CaldavConnectionOut'];

const keys = { feed: ['calendar', 'feed'] as const, caldav: ['calendar', 'caldav'] as const };

export function useFeed() {
  return useQuery({ queryKey: keys.feed, queryFn: () => unwrap(api.GET('/api/calendar/feed')) });
}

export function useCreateFeed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/calendar/feed')),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.feed }),
  });
}

export function useRevokeFeed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/calendar/feed')),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.feed }),
  });
}

export function useConnections() {
  return useQuery({ queryKey: keys.caldav, queryFn: () => unwrap(api.GET('/api/calendar/caldav')) });
}

export function useConnect(shared: boolean) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CaldavConnectionIn']) =>
      unwrap(shared ? api.POST('/api/calendar/caldav/shared', { body }) : api.POST('/api/calendar/caldav', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.caldav }),
  });
}

export function useReplaceConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['CaldavConnectionIn'] }) =>
      unwrap(api.PUT('/api/calendar/caldav/{connection_id}', { params: { path: { connection_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.caldav }),
  });
}

export function useDisconnect() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/calendar/caldav/{connection_id}', { params: { path: { connection_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.caldav }),
  });
}
