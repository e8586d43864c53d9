/** The Today view (GET /today) and finishing a task from it at once (optimistically). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ResponseOf } from '../api/types';

export type Today = ResponseOf<'/api/v1/today'>;
export type DealWithReasons = Today['at_risk'][number];
export type Reason = DealWithReasons['reasons'][number];

export function useToday() {
  return useQuery({
    queryKey: keys.today,
    queryFn: () => unwrap(api.GET('/api/v1/today')),
    // A day's list changes as time passes (a task turns overdue): refresh it now and then.
    refetchInterval: 5 * 60_000,
  });
}

/** Today without one task: what the screen shows the moment "Mark done" is pressed. */
export function withoutTask(today: Today, taskId: string): Today {
  return {
    ...today,
    overdue_tasks: today.overdue_tasks.filter((t) => t.id !== taskId),
    due_today: today.due_today.filter((t) => t.id !== taskId),
  };
}

/** Nothing on any list. */
export function isClear(today: Today): boolean {
  return (
    today.overdue_tasks.length === 0 &&
    today.due_today.length === 0 &&
    today.at_risk.length === 0 &&
    today.follow_ups.length === 0 &&
    today.commitments_due.length === 0
  );
}

export function useCompleteTask() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (taskId: string) =>
      unwrap(api.POST('/api/v1/activities/{activity_id}/complete', { params: { path: { activity_id: taskId } } })),
    onMutate: async (taskId) => {
      await queryClient.cancelQueries({ queryKey: keys.today });
      const before = queryClient.getQueryData<Today>(keys.today);
      if (before) queryClient.setQueryData<Today>(keys.today, withoutTask(before, taskId));
      return { before };
    },
    onError: (_error, _taskId, context) => {
      if (context?.before) queryClient.setQueryData(keys.today, context.before);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.today });
      void queryClient.invalidateQueries({ queryKey: keys.tasksAll });
      void queryClient.invalidateQueries({ queryKey: ['timeline'] });
    },
  });
}
