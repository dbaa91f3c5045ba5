// Query hooks for the notifications: the caller's own list and unread count, their choices,
// and (administrators) the deliveries that failed.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap, unwrapWithEtag } from '../api/problem';

export type Notification = Schemas['NotificationOut'];
export type Preferences = Schemas['PreferencesOut'];
export type PreferencesUpdate = Schemas['PreferencesUpdate'];
export type FailedDelivery = Schemas['FailedDelivery'];

export const notificationKeys = {
  all: ['notifications'] as const,
  list: ['notifications', 'list'] as const,
  unread: ['notifications', 'unread'] as const,
  preferences: ['notifications', 'preferences'] as const,
  failed: ['notifications', 'failed'] as const,
};

/** How often the header's count is read again while signed in. */
export const UNREAD_REFRESH_MS = 60_000;
const PAGE = 50;

/** The header's count: read every minute while `enabled` (signed in), never after. */
export function useUnreadCount(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: () => unwrap(api.GET('/api/notifications/unread-count')),
    enabled,
    refetchInterval: enabled ? UNREAD_REFRESH_MS : false,
    refetchIntervalInBackground: false,
  });
}

export function useNotifications() {
  return useInfiniteQuery({
    queryKey: notificationKeys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/notifications', { params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor,
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/notifications/read-all')),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences,
    queryFn: () => unwrapWithEtag(api.GET('/api/notifications/preferences')),
  });
}

export function useSetPreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, ifMatch }: { body: PreferencesUpdate; ifMatch: string }) =>
      unwrapWithEtag(api.PUT('/api/notifications/preferences', { body, params: { header: { 'If-Match': ifMatch } } })),
    onSuccess: (saved) => qc.setQueryData(notificationKeys.preferences, saved),
  });
}

/** Every failed delivery (administrators; the list is paged by the API and short). */
export function useFailedDeliveries() {
  return useQuery({
    queryKey: notificationKeys.failed,
    queryFn: async () => {
      const all: FailedDelivery[] = [];
      let cursor: string | null = null;
      do {
        const page: Schemas['Page_FailedDelivery_'] = await unwrap(
          api.GET('/api/notifications/failed-deliveries', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
        );
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    },
  });
}

export function useRetryDelivery() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/notifications/failed-deliveries/{delivery_id}/retry', { params: { path: { delivery_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.failed }),
  });
}
