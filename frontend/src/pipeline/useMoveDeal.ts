/**
 * Moving a card: the board changes at once in the query cache, POST /deals/{id}/move goes out with
 * If-Match, and a refusal takes the move back and says why (412: someone else changed the deal,
 * so the board is refetched; 422: the fields the stage requires).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { isApiError, missingFields, moveFailureMessage } from '../api/problem';
import type { Board, BoardCard } from '../api/types';
import { applyMove, type CardPosition, locateCard, type Move, positionOf, replaceCard, revertMove } from './boardMoves';
import type { BoardFilters } from './boardData';

export type MoveFailure = {
  message: string;
  /** Set when the target stage only lacks a lost reason, which the person can give right there. */
  retry?: { move: Move; needs: 'lost_reason' };
};

type Variables = { move: Move; lostReason?: string; lostReasonDetail?: string };
type Context = { position: CardPosition; original: BoardCard; stageName: string } | undefined;

export function useMoveDeal(
  pipelineId: string,
  filters: BoardFilters,
  baseCurrency: string,
  onFailure: (failure: MoveFailure | null) => void,
) {
  const queryClient = useQueryClient();
  const boardKey = keys.board(pipelineId, filters);

  return useMutation<BoardCard, unknown, Variables, Context>({
    // Moves go out one at a time (each shows at once): a second drag of the same card then sends
    // the version the first move's answer brought, not a stale one.
    scope: { id: 'board-move' },
    mutationFn: ({ move, lostReason, lostReasonDetail }) => {
      const board = queryClient.getQueryData<Board>(boardKey);
      const card = board ? locateCard(board, move.dealId)?.card : undefined;
      return unwrap(
        api.POST('/api/v1/deals/{deal_id}/move', {
          params: { path: { deal_id: move.dealId } },
          body: {
            stage_id: move.toStageId,
            after_id: move.afterId,
            ...(lostReason ? { lost_reason: lostReason } : {}),
            ...(lostReasonDetail ? { lost_reason_detail: lostReasonDetail } : {}),
          },
          // The version the person saw before they dragged (the optimistic copy keeps it).
          headers: card ? ifMatch(card.version) : {},
        }),
      );
    },
    onMutate: async ({ move }) => {
      onFailure(null);
      await queryClient.cancelQueries({ queryKey: boardKey });
      const board = queryClient.getQueryData<Board>(boardKey);
      if (!board) return undefined;
      const position = positionOf(board, move.dealId);
      const at = locateCard(board, move.dealId);
      const stageName = board.columns.find((c) => c.stage.id === move.toStageId)?.stage.name ?? 'This stage';
      if (!position || !at) return undefined;
      queryClient.setQueryData<Board>(boardKey, applyMove(board, move, { baseCurrency }));
      return { position, original: at.card, stageName };
    },
    onSuccess: (deal) => {
      queryClient.setQueryData<Board>(boardKey, (board) => (board ? replaceCard(board, deal) : board));
      void queryClient.invalidateQueries({ queryKey: keys.deal(deal.id) });
      void queryClient.invalidateQueries({ queryKey: keys.timeline('deals', deal.id) });
    },
    onError: (error, { move }, context) => {
      if (context) {
        queryClient.setQueryData<Board>(boardKey, (board) =>
          board ? revertMove(board, move, context.position, context.original, { baseCurrency }) : board,
        );
      }
      const stageName = context?.stageName ?? 'This stage';
      if (isApiError(error)) {
        const message = moveFailureMessage(error.status, error.problem, stageName);
        const missing = error.status === 422 ? missingFields(error.problem) : [];
        onFailure(missing.length === 1 && missing[0] === 'lost_reason' ? { message, retry: { move, needs: 'lost_reason' } } : { message });
        if (error.status === 412 || error.status === 404) void queryClient.invalidateQueries({ queryKey: keys.boards });
      } else {
        onFailure({ message: 'The deal could not be moved; check your connection and try again' });
      }
    },
  });
}
