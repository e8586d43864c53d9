/** The board's server state: pipelines, the board of one, a column's next page, quick-added deals. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import type { Board, Pipeline } from '../api/types';
import { appendPage } from './boardMoves';

export type BoardFilters = { ownerId?: string; q?: string };

export function usePipelines() {
  return useQuery({ queryKey: keys.pipelines, queryFn: () => unwrap(api.GET('/api/v1/pipelines')) });
}

/** The pipeline marked default, else the first one. */
export function defaultPipeline(pipelines: readonly Pipeline[]): Pipeline | undefined {
  return pipelines.find((p) => p.is_default) ?? pipelines[0];
}

export function useBoard(pipelineId: string | undefined, filters: BoardFilters) {
  return useQuery({
    queryKey: keys.board(pipelineId ?? '', filters),
    enabled: Boolean(pipelineId),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/pipelines/{pipeline_id}/board', {
          params: {
            path: { pipeline_id: pipelineId! },
            query: { ...(filters.ownerId ? { owner_id: filters.ownerId } : {}), ...(filters.q ? { q: filters.q } : {}) },
          },
        }),
      ),
    // A board refetch drops the extra pages a person loaded; refresh it on purpose, not on a timer.
    staleTime: 60_000,
  });
}

/** Loads a column's next page (GET /deals?stage_id=…&sort=rank&cursor=…) into the cached board. */
export function useLoadMoreCards(pipelineId: string, filters: BoardFilters) {
  const queryClient = useQueryClient();
  const boardKey = keys.board(pipelineId, filters);
  return useMutation({
    mutationFn: async ({ stageId, cursor }: { stageId: string; cursor: string }) => {
      const page = await unwrap(
        api.GET('/api/v1/deals', {
          params: {
            query: {
              stage_id: stageId,
              sort: 'rank',
              cursor,
              ...(filters.ownerId ? { owner_id: filters.ownerId } : {}),
              ...(filters.q ? { q: filters.q } : {}),
            },
          },
        }),
      );
      return { stageId, page };
    },
    onSuccess: ({ stageId, page }) => {
      queryClient.setQueryData<Board>(boardKey, (board) => (board ? appendPage(board, stageId, page.items, page.next_cursor) : board));
    },
  });
}

export type NewDeal = {
  title: string;
  amount: string | null;
  stageId: string;
  pipelineId: string;
  expectedCloseDate?: string;
  source?: string;
};

export function useCreateDeal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deal: NewDeal) =>
      unwrap(
        api.POST('/api/v1/deals', {
          body: {
            title: deal.title,
            stage_id: deal.stageId,
            pipeline_id: deal.pipelineId,
            ...(deal.amount !== null ? { amount: deal.amount } : {}),
            ...(deal.expectedCloseDate ? { expected_close_date: deal.expectedCloseDate } : {}),
            ...(deal.source ? { source: deal.source } : {}),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.boards }),
  });
}

/** A pipeline for a workspace left without one (signup makes the same one), so the board has somewhere to start. */
export const STARTER_STAGES: components['schemas']['StageIn'][] = [
  { name: 'Prospect', probability: 10, kind: 'open', rotting_days: 14 },
  { name: 'Qualified', probability: 25, kind: 'open', rotting_days: 14 },
  { name: 'Proposal Sent', probability: 50, kind: 'open', rotting_days: 10, required_fields: ['amount', 'expected_close_date'] },
  { name: 'Negotiation', probability: 75, kind: 'open', rotting_days: 10 },
  { name: 'Closed Won', probability: 100, kind: 'won' },
  { name: 'Closed Lost', probability: 0, kind: 'lost' },
];

export function useCreateStarterPipeline() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/pipelines', { body: { name: 'Sales', is_default: true, on_won: 'project', stages: STARTER_STAGES } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.pipelines }),
  });
}
