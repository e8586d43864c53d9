/**
 * The board's pure logic: where a dropped card lands (`after_id`), and the board as it looks right
 * after a move (and after undoing one), counts and totals included, before the server answers.
 */
import type { Board, BoardCard, BoardColumn } from '../api/types';
import { decimalPlaces, fromMicros, toMicros, weighted } from '../lib/decimal';

/** A move as the API takes it: the card goes to `toStageId`, right below `afterId` (null: top). */
export type Move = { dealId: string; toStageId: string; afterId: string | null };

/** Where a card sits, as the move that would put it back there. */
export type CardPosition = { stageId: string; afterId: string | null };

export type CardLocation = { columnIndex: number; index: number; card: BoardCard };

export function locateCard(board: Board, dealId: string): CardLocation | null {
  for (let columnIndex = 0; columnIndex < board.columns.length; columnIndex++) {
    const column = board.columns[columnIndex]!;
    const index = column.deals.findIndex((d) => d.id === dealId);
    if (index >= 0) return { columnIndex, index, card: column.deals[index]! };
  }
  return null;
}

export function positionOf(board: Board, dealId: string): CardPosition | null {
  const at = locateCard(board, dealId);
  if (!at) return null;
  const column = board.columns[at.columnIndex]!;
  return { stageId: column.stage.id, afterId: at.index > 0 ? column.deals[at.index - 1]!.id : null };
}

/** What the pointer (or keyboard) was over when the card was dropped. */
export type DropTarget = { kind: 'column'; stageId: string } | { kind: 'card'; dealId: string; placeBelow?: boolean };

/**
 * The move a drop means, or null when the card would stay where it is. Within its own column a
 * card takes the place of the card it is dropped on (as the sortable preview shows it); in another
 * column it goes above the card it is dropped on (below it when `placeBelow`), or to the end of
 * the column when dropped on the column itself.
 */
export function moveForDrop(board: Board, activeId: string, target: DropTarget): Move | null {
  const from = locateCard(board, activeId);
  if (!from) return null;
  const fromColumn = board.columns[from.columnIndex]!;

  let destColumn: BoardColumn | undefined;
  let afterId: string | null;
  if (target.kind === 'column') {
    destColumn = board.columns.find((c) => c.stage.id === target.stageId);
    if (!destColumn) return null;
    const others = destColumn.deals.filter((d) => d.id !== activeId);
    afterId = others.length > 0 ? others[others.length - 1]!.id : null;
  } else {
    if (target.dealId === activeId) return null;
    const over = locateCard(board, target.dealId);
    if (!over) return null;
    destColumn = board.columns[over.columnIndex]!;
    const ids = destColumn.deals.map((d) => d.id);
    if (destColumn === fromColumn) {
      const reordered = arrayMove(ids, from.index, over.index);
      afterId = over.index > 0 ? reordered[over.index - 1]! : null;
    } else {
      const insertAt = target.placeBelow ? over.index + 1 : over.index;
      afterId = insertAt > 0 ? ids[insertAt - 1]! : null;
    }
  }

  const current = positionOf(board, activeId)!;
  if (current.stageId === destColumn.stage.id && current.afterId === afterId) return null;
  return { dealId: activeId, toStageId: destColumn.stage.id, afterId };
}

export function arrayMove<T>(items: readonly T[], from: number, to: number): T[] {
  const out = items.slice();
  const [moved] = out.splice(from, 1);
  out.splice(to, 0, moved as T);
  return out;
}

export type MoveOptions = {
  /** The workspace currency: the one `total_amount` and `weighted_amount` are in. */
  baseCurrency: string;
  /** When the move happens (the card's new `stage_entered_at`). */
  now?: string;
  /** The card as it should read after the move (used to restore the original on rollback). */
  card?: BoardCard;
};

/**
 * The board after `move`, as a new object (the input is not touched). The card leaves its column
 * and enters the target one below `afterId` (at the end when `afterId` is not loaded in that
 * column); both columns' counts and totals follow when the card changes stage. Unknown cards or
 * stages leave the board as it is.
 */
export function applyMove(board: Board, move: Move, options: MoveOptions): Board {
  const from = locateCard(board, move.dealId);
  const toIndex = board.columns.findIndex((c) => c.stage.id === move.toStageId);
  if (!from || toIndex < 0) return board;

  const fromColumn = board.columns[from.columnIndex]!;
  const toColumn = board.columns[toIndex]!;
  const changesStage = from.columnIndex !== toIndex;
  const now = options.now ?? new Date().toISOString();

  let card: BoardCard = options.card ?? from.card;
  if (!options.card && changesStage) {
    const kind = toColumn.stage.kind;
    card = {
      ...card,
      stage_id: toColumn.stage.id,
      stage_entered_at: now,
      status: kind,
      closed_at: kind === 'open' ? null : now,
    };
  }

  const columns = board.columns.slice();
  if (changesStage) {
    const leaving = withoutCard(fromColumn, from.index);
    const entering = toColumn;
    columns[from.columnIndex] = adjustTotals(leaving, from.card, -1, options.baseCurrency);
    columns[toIndex] = adjustTotals(insertCard(entering, card, move.afterId), card, +1, options.baseCurrency);
  } else {
    columns[toIndex] = insertCard(withoutCard(fromColumn, from.index), card, move.afterId);
  }
  return { ...board, columns };
}

/** The board with a failed move taken back: the card returns to `position` as it was (`original`). */
export function revertMove(
  board: Board,
  move: Move,
  position: CardPosition,
  original: BoardCard,
  options: Omit<MoveOptions, 'card'>,
): Board {
  if (!locateCard(board, move.dealId)) return board;
  return applyMove(board, { dealId: move.dealId, toStageId: position.stageId, afterId: position.afterId }, { ...options, card: original });
}

/** A card the server sent back (new version, rank) put in place of the optimistic one. */
export function replaceCard(board: Board, card: BoardCard): Board {
  const at = locateCard(board, card.id);
  if (!at) return board;
  const columns = board.columns.slice();
  const column = columns[at.columnIndex]!;
  const deals = column.deals.slice();
  deals[at.index] = { ...deals[at.index]!, ...card };
  columns[at.columnIndex] = { ...column, deals };
  return { ...board, columns };
}

/** A column's next page appended (cards already shown are not repeated). */
export function appendPage(board: Board, stageId: string, cards: BoardCard[], nextCursor: string | null | undefined): Board {
  const columns = board.columns.map((column) => {
    if (column.stage.id !== stageId) return column;
    const seen = new Set(column.deals.map((d) => d.id));
    return { ...column, deals: [...column.deals, ...cards.filter((c) => !seen.has(c.id))], next_cursor: nextCursor ?? null };
  });
  return { ...board, columns };
}

function withoutCard(column: BoardColumn, index: number): BoardColumn {
  const deals = column.deals.slice();
  deals.splice(index, 1);
  return { ...column, deals };
}

function insertCard(column: BoardColumn, card: BoardCard, afterId: string | null): BoardColumn {
  const deals = column.deals.filter((d) => d.id !== card.id);
  let at = 0;
  if (afterId !== null) {
    const afterIndex = deals.findIndex((d) => d.id === afterId);
    at = afterIndex >= 0 ? afterIndex + 1 : deals.length;
  }
  deals.splice(at, 0, card);
  return { ...column, deals };
}

function adjustTotals(column: BoardColumn, card: BoardCard, sign: 1 | -1, baseCurrency: string): BoardColumn {
  const next: BoardColumn = { ...column, count: Math.max(0, column.count + sign) };
  const amount = toMicros(card.amount ?? null);
  if (amount === 0n) return next;
  const signed = sign === 1 ? amount : -amount;

  if (!card.currency || card.currency === baseCurrency) {
    next.total_amount = fromMicros(toMicros(column.total_amount) + signed, decimalPlaces(column.total_amount));
    next.weighted_amount = fromMicros(
      toMicros(column.weighted_amount) + weighted(signed, column.stage.probability),
      decimalPlaces(column.weighted_amount),
    );
    return next;
  }

  const others = { ...(column.other_currencies ?? {}) };
  const before = others[card.currency];
  const after = toMicros(before ?? '0') + signed;
  if (after === 0n) delete others[card.currency];
  else others[card.currency] = fromMicros(after, decimalPlaces(before ?? card.amount ?? '0.00'));
  next.other_currencies = others;
  return next;
}
