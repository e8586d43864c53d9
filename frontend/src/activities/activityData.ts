/** Activities and timelines: a record's history, logging what happened, finishing tasks. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ActivityType } from '../api/types';

export type Subject = 'deals' | 'contacts' | 'accounts';

const SUBJECT_FIELD = { deals: 'deal_id', contacts: 'contact_id', accounts: 'account_id' } as const;

function fetchTimeline(subject: Subject, id: string, cursor: string | undefined) {
  const query = cursor ? { cursor } : {};
  switch (subject) {
    case 'deals':
      return unwrap(api.GET('/api/v1/deals/{deal_id}/timeline', { params: { path: { deal_id: id }, query } }));
    case 'contacts':
      return unwrap(api.GET('/api/v1/contacts/{contact_id}/timeline', { params: { path: { contact_id: id }, query } }));
    case 'accounts':
      return unwrap(api.GET('/api/v1/accounts/{account_id}/timeline', { params: { path: { account_id: id }, query } }));
  }
}

export function useTimeline(subject: Subject, id: string) {
  return useInfiniteQuery({
    queryKey: keys.timeline(subject, id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchTimeline(subject, id, pageParam),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    select: (data) => ({
      items: data.pages.flatMap((p) => p.items),
    }),
  });
}

export type NewActivity = {
  type: ActivityType;
  subject: string;
  body?: string | undefined;
  dueAt?: string | null | undefined;
};

export function useLogActivity(subject: Subject, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (activity: NewActivity) =>
      unwrap(
        api.POST('/api/v1/activities', {
          body: {
            type: activity.type,
            subject: activity.subject,
            track_opens: false,
            ...(activity.body ? { body: activity.body } : {}),
            ...(activity.dueAt ? { due_at: activity.dueAt } : {}),
            [SUBJECT_FIELD[subject]]: id,
          },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.timeline(subject, id) });
      void queryClient.invalidateQueries({ queryKey: keys.tasksAll });
      void queryClient.invalidateQueries({ queryKey: keys.today });
    },
  });
}

export function useCompleteActivity() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (activityId: string) =>
      unwrap(api.POST('/api/v1/activities/{activity_id}/complete', { params: { path: { activity_id: activityId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.tasksAll });
      void queryClient.invalidateQueries({ queryKey: keys.today });
      void queryClient.invalidateQueries({ queryKey: ['timeline'] });
    },
  });
}
