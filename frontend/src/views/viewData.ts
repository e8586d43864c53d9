/** Saved views: a person's own and the workspace's shared filters and sort for a list. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { BodyOf, ResponseOf } from '../api/types';

export type SavedView = ResponseOf<'/api/v1/views'>['items'][number];
export type ViewObject = SavedView['object'];
export type NewView = BodyOf<'/api/v1/views', 'post'>;

const viewsKey = (object: ViewObject) => ['views', object] as const;

export function useViews(object: ViewObject) {
  return useQuery({
    queryKey: viewsKey(object),
    queryFn: () => unwrap(api.GET('/api/v1/views', { params: { query: { object } } })),
  });
}

export function useCreateView(object: ViewObject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewView) => unwrap(api.POST('/api/v1/views', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: viewsKey(object) }),
  });
}

export function useDeleteView(object: ViewObject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (view: SavedView) => unwrap(api.DELETE('/api/v1/views/{view_id}', { params: { path: { view_id: view.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: viewsKey(object) }),
  });
}
