/** Duplicates of a record (GET /duplicates), merging them, and saying they are not the same. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ResponseOf } from '../api/types';
import type { Choices } from './mergeChoices';
import { mergeBody } from './mergeChoices';

export type DuplicateGroup = ResponseOf<'/api/v1/duplicates'>['items'][number];

/** The groups holding this record (usually one: the group around the oldest of the look-alikes). */
export function useDuplicateGroups(object: 'contacts' | 'accounts', recordId: string) {
  return useQuery({
    queryKey: keys.duplicatesOf(object, recordId),
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/duplicates', { params: { query: { object, record_id: recordId, limit: 50 } } }))).items,
    staleTime: 60_000,
  });
}

export function useMergeContacts(survivorId: string, version: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ sourceIds, choices }: { sourceIds: string[]; choices: Choices }) =>
      unwrap(
        api.POST('/api/v1/contacts/{contact_id}/merge', {
          params: { path: { contact_id: survivorId } },
          body: mergeBody(survivorId, sourceIds, choices),
          headers: ifMatch(version),
        }),
      ),
    onSuccess: (merged, { sourceIds }) => {
      queryClient.setQueryData(keys.contact(merged.id), merged);
      for (const id of sourceIds) queryClient.removeQueries({ queryKey: keys.contact(id) });
      void queryClient.invalidateQueries({ queryKey: keys.duplicates('contacts') });
      void queryClient.invalidateQueries({ queryKey: keys.contactsAll });
      void queryClient.invalidateQueries({ queryKey: keys.timeline('contacts', merged.id) });
    },
    onError: () => queryClient.invalidateQueries({ queryKey: keys.contact(survivorId) }),
  });
}

export function useDismissDuplicates(object: 'contacts' | 'accounts') {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (recordIds: string[]) => unwrap(api.POST('/api/v1/duplicates/dismiss', { body: { object, record_ids: recordIds } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.duplicates(object) }),
  });
}
