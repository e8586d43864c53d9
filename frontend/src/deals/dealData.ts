/** One deal: reading it, editing its fields with If-Match, moving it to another stage. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { ApiError, isApiError } from '../api/problem';
import type { Deal, DealPatch } from '../api/types';

export function useDeal(id: string) {
  return useQuery({
    queryKey: keys.deal(id),
    queryFn: () => unwrap(api.GET('/api/v1/deals/{deal_id}', { params: { path: { deal_id: id } } })),
  });
}

/** A stale If-Match reads better as a sentence about the record than as "Precondition failed". */
function explainStale(error: unknown, what: string): unknown {
  if (isApiError(error) && error.status === 412) {
    return new ApiError(412, {
      ...error.problem,
      detail: `This ${what} was changed by someone else; it has been reloaded, so check it and try again.`,
    });
  }
  return error;
}

/** After a 412, the deal and its timeline as they are now. */
function useRefreshIfStale(deal: Deal | undefined) {
  const queryClient = useQueryClient();
  return (error: unknown) => {
    if (!deal || !isApiError(error) || error.status !== 412) return;
    void queryClient.invalidateQueries({ queryKey: keys.deal(deal.id) });
    void queryClient.invalidateQueries({ queryKey: keys.timeline('deals', deal.id) });
  };
}

export function useUpdateDeal(deal: Deal | undefined) {
  const queryClient = useQueryClient();
  const refreshIfStale = useRefreshIfStale(deal);
  return useMutation({
    mutationFn: async (patch: DealPatch) => {
      if (!deal) throw new Error('The deal has not loaded');
      try {
        return await unwrap(
          api.PATCH('/api/v1/deals/{deal_id}', { params: { path: { deal_id: deal.id } }, body: patch, headers: ifMatch(deal.version) }),
        );
      } catch (e) {
        throw explainStale(e, 'deal');
      }
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.deal(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.timeline('deals', updated.id) });
      void queryClient.invalidateQueries({ queryKey: keys.boards });
    },
    onError: (error) => refreshIfStale(error),
  });
}

export function useChangeStage(deal: Deal | undefined) {
  const queryClient = useQueryClient();
  const refreshIfStale = useRefreshIfStale(deal);
  return useMutation({
    mutationFn: async ({ stageId, lostReason, lostReasonDetail }: { stageId: string; lostReason?: string; lostReasonDetail?: string }) => {
      if (!deal) throw new Error('The deal has not loaded');
      try {
        return await unwrap(
          api.POST('/api/v1/deals/{deal_id}/move', {
            params: { path: { deal_id: deal.id } },
            body: {
              stage_id: stageId,
              ...(lostReason ? { lost_reason: lostReason } : {}),
              ...(lostReasonDetail ? { lost_reason_detail: lostReasonDetail } : {}),
            },
            headers: ifMatch(deal.version),
          }),
        );
      } catch (e) {
        throw explainStale(e, 'deal');
      }
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.deal(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.timeline('deals', updated.id) });
      void queryClient.invalidateQueries({ queryKey: keys.boards });
    },
    onError: (error) => refreshIfStale(error),
  });
}
