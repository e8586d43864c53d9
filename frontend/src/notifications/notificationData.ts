/** Notifications: the latest page with the unread count, the live stream, marking them read. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { type NotificationPage, parseNotification, reconnectDelay, withAllRead, withIncoming, withRead } from './notificationCache';

export const STREAM_URL = '/api/v1/notifications/stream';

export function useNotifications() {
  return useQuery({
    queryKey: keys.notifications,
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 20 } } })),
    // The stream keeps it fresh; a slow poll covers a browser or proxy that drops it silently.
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
}

/**
 * Follows the server-sent events while the shell is mounted. EventSource reconnects by itself after
 * a dropped connection (sending Last-Event-ID, so nothing is missed); when the server refuses the
 * stream outright it gives up, so this opens a new one after a growing delay, and refetches the
 * list on every (re)open to catch up.
 */
export function useNotificationStream(enabled: boolean) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const open = () => {
      source = new EventSource(STREAM_URL, { withCredentials: true });
      source.onopen = () => {
        failures = 0;
        void queryClient.invalidateQueries({ queryKey: keys.notifications });
      };
      source.addEventListener('notification', (event) => {
        const incoming = parseNotification((event as MessageEvent<string>).data);
        if (incoming) {
          queryClient.setQueryData<NotificationPage>(keys.notifications, (page) => (page ? withIncoming(page, incoming) : page));
        }
        void queryClient.invalidateQueries({ queryKey: keys.notifications });
      });
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        failures += 1;
        source.close();
        timer = setTimeout(open, reconnectDelay(failures));
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [enabled, queryClient]);
}

function useOptimistic<V>(change: (page: NotificationPage, vars: V) => NotificationPage, call: (vars: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onMutate: async (vars: V) => {
      await queryClient.cancelQueries({ queryKey: keys.notifications });
      const before = queryClient.getQueryData<NotificationPage>(keys.notifications);
      if (before) queryClient.setQueryData(keys.notifications, change(before, vars));
      return { before };
    },
    onError: (_e, _v, context) => {
      if (context?.before) queryClient.setQueryData(keys.notifications, context.before);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.notifications }),
  });
}

export function useMarkRead() {
  return useOptimistic<string>(
    (page, id) => withRead(page, id, new Date().toISOString()),
    (id) => unwrap(api.POST('/api/v1/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
  );
}

export function useMarkAllRead() {
  return useOptimistic<void>(
    (page) => withAllRead(page, new Date().toISOString()),
    () => unwrap(api.POST('/api/v1/notifications/read-all')),
  );
}
