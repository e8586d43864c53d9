/** The trash: deleted records for 30 days, deleting into it and restoring from it. */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { TrashObject } from '../api/types';

export const OBJECT_LABELS: Record<TrashObject, string> = {
  contacts: 'Contact',
  accounts: 'Account',
  deals: 'Deal',
  activities: 'Activity',
};

/** Where a restored record lives in the SPA (activities show on their records' timelines). */
export function recordPath(object: TrashObject, id: string): string | null {
  return object === 'activities' ? null : `/${object}/${id}`;
}

export function useTrash(object: TrashObject | '', cursor: string | null) {
  return useQuery({
    queryKey: keys.trash(object, cursor),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/trash', {
          params: { query: { ...(object ? { object } : {}), ...(cursor ? { cursor } : {}), limit: 25 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Everything a delete or a restore can change: lists, the board, the record, the trash. */
function invalidateAfter(queryClient: QueryClient, object: TrashObject, id: string) {
  void queryClient.invalidateQueries({ queryKey: keys.trashAll });
  void queryClient.invalidateQueries({ queryKey: keys.contactsAll });
  void queryClient.invalidateQueries({ queryKey: keys.accountsAll });
  void queryClient.invalidateQueries({ queryKey: keys.boards });
  void queryClient.invalidateQueries({ queryKey: keys.tasksAll });
  void queryClient.invalidateQueries({ queryKey: ['timeline'] });
  const single =
    object === 'contacts' ? keys.contact(id) : object === 'accounts' ? keys.account(id) : object === 'deals' ? keys.deal(id) : null;
  if (single) void queryClient.invalidateQueries({ queryKey: single });
}

export async function restoreRecord(object: TrashObject, id: string) {
  switch (object) {
    case 'contacts':
      return unwrap(api.POST('/api/v1/contacts/{contact_id}/restore', { params: { path: { contact_id: id } } }));
    case 'accounts':
      return unwrap(api.POST('/api/v1/accounts/{account_id}/restore', { params: { path: { account_id: id } } }));
    case 'deals':
      return unwrap(api.POST('/api/v1/deals/{deal_id}/restore', { params: { path: { deal_id: id } } }));
    case 'activities':
      return unwrap(api.POST('/api/v1/activities/{activity_id}/restore', { params: { path: { activity_id: id } } }));
  }
}

export function useRestore() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ object, id }: { object: TrashObject; id: string }) => restoreRecord(object, id),
    onSuccess: (_data, { object, id }) => invalidateAfter(queryClient, object, id),
  });
}

export type DeletableObject = 'contacts' | 'accounts' | 'deals';

async function deleteRecord(object: DeletableObject, id: string) {
  if (object === 'contacts') {
    return unwrap(api.DELETE('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id } } }));
  }
  if (object === 'deals') {
    return unwrap(api.DELETE('/api/v1/deals/{deal_id}', { params: { path: { deal_id: id } } }));
  }
  return unwrap(api.DELETE('/api/v1/accounts/{account_id}', { params: { path: { account_id: id } } }));
}

export function useDeleteRecord(object: DeletableObject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteRecord(object, id),
    onSuccess: (_data, id) => {
      invalidateAfter(queryClient, object, id);
      queryClient.removeQueries({
        queryKey: object === 'contacts' ? keys.contact(id) : object === 'deals' ? keys.deal(id) : keys.account(id),
      });
    },
  });
}

/** After a delete: a toast whose Undo restores the record (and its links). */
export function useUndoToast() {
  const queryClient = useQueryClient();
  return (object: TrashObject, id: string, what: string) => ({
    text: `${what} moved to the trash.`,
    action: {
      label: 'Undo',
      run: async () => {
        await restoreRecord(object, id);
        invalidateAfter(queryClient, object, id);
      },
    },
  });
}
