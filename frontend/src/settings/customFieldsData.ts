/** Custom field definitions and the lost-reason pick-list: read by everyone, changed by admins. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { CustomField, CustomFieldIn, CustomFieldObject } from '../api/types';

export function useCustomFields(object: CustomFieldObject) {
  return useQuery({
    queryKey: keys.customFields(object),
    queryFn: () => unwrap(api.GET('/api/v1/custom-fields', { params: { query: { object } } })),
  });
}

export function useLostReasons() {
  return useQuery({
    queryKey: keys.lostReasons,
    queryFn: () => unwrap(api.GET('/api/v1/lost-reasons')),
    staleTime: 60_000,
  });
}

export function useCreateCustomField() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomFieldIn) => unwrap(api.POST('/api/v1/custom-fields', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.customFieldsAll }),
  });
}

export function useUpdateCustomField(field: CustomField) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: { label?: string; required?: boolean; options?: string[] }) =>
      unwrap(
        api.PATCH('/api/v1/custom-fields/{field_id}', {
          params: { path: { field_id: field.id } },
          body: patch,
          headers: ifMatch(field.version),
        }),
      ),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.customFieldsAll }),
  });
}

/** Deleting asks the server first: without `confirm` it answers 409 with how many values would go. */
export function useDeleteCustomField(field: CustomField) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (confirm: boolean) =>
      unwrap(
        api.DELETE('/api/v1/custom-fields/{field_id}', {
          params: { path: { field_id: field.id }, query: { confirm } },
          headers: ifMatch(field.version),
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.customFieldsAll });
      void queryClient.invalidateQueries({ queryKey: ['deal'] });
    },
  });
}
