import { describe, expect, it } from 'vitest';
import type { Board, BoardCard, BoardColumn, Stage } from '../api/types';
import { appendPage, applyMove, moveForDrop, positionOf, replaceCard, revertMove, type Move } from './boardMoves';

const NOW = '2026-11-23T12:00:00.000Z';

function stage(id: string, name: string, probability: number, kind: Stage['kind'] = 'open', position = 0): Stage {
  return {
    id,
    pipeline_id: 'p1',
    name,
    position,
    probability,
    kind,
    rotting_days: 14,
    required_fields: [],
    version: 1,
    created_at: NOW,
    updated_at: NOW,
  };
}

function card(id: string, stageId: string, amount: string | null, currency = 'USD'): BoardCard {
  return {
    id,
    title: `Deal ${id}`,
    amount,
    currency,
    pipeline_id: 'p1',
    stage_id: stageId,
    status: 'open',
    rank: id,
    version: 3,
    stage_entered_at: '2026-11-01T00:00:00Z',
    closed_at: null,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
  } as BoardCard;
}

function column(s: Stage, deals: BoardCard[], totals: Partial<BoardColumn> = {}): BoardColumn {
  return {
    stage: s,
    count: deals.length,
    total_amount: '0.00',
    weighted_amount: '0.00',
    other_currencies: {},
    deals,
    next_cursor: null,
    ...totals,
  } as BoardColumn;
}

function makeBoard(): Board {
  const lead = stage('s-lead', 'Lead', 10);
  const proposal = stage('s-prop', 'Proposal Sent', 50);
  const won = stage('s-won', 'Won', 100, 'won');
  return {
    pipeline: { id: 'p1', name: 'Sales', stages: [lead, proposal, won] },
    columns: [
      column(
        lead,
        [card('a', 's-lead', '1000.00'), card('b', 's-lead', '250.50'), card('c', 's-lead', null), card('e', 's-lead', '300.00', 'EUR')],
        {
          count: 7, // more open deals than the cards loaded
          total_amount: '5250.50',
          weighted_amount: '525.05',
          other_currencies: { EUR: '300.00' },
        },
      ),
      column(proposal, [card('d', 's-prop', '2000.00')], { total_amount: '2000.00', weighted_amount: '1000.00' }),
      column(won, [], { total_amount: '0.00', weighted_amount: '0.00' }),
    ],
  } as Board;
}

const ids = (board: Board, i: number) => board.columns[i]!.deals.map((d) => d.id);
const opts = { baseCurrency: 'USD', now: NOW };

describe('applyMove', () => {
  it('moves a card across columns and adjusts counts, totals and weighted totals', () => {
    const board = makeBoard();
    const next = applyMove(board, { dealId: 'a', toStageId: 's-prop', afterId: 'd' }, opts);
    expect(ids(next, 0)).toEqual(['b', 'c', 'e']);
    expect(ids(next, 1)).toEqual(['d', 'a']);
    expect(next.columns[0]).toMatchObject({ count: 6, total_amount: '4250.50', weighted_amount: '425.05' });
    expect(next.columns[1]).toMatchObject({ count: 2, total_amount: '3000.00', weighted_amount: '1500.00' });
    const moved = next.columns[1]!.deals[1]!;
    expect(moved).toMatchObject({ stage_id: 's-prop', stage_entered_at: NOW, status: 'open' });
  });

  it('does not touch the board it was given', () => {
    const board = makeBoard();
    const copy = structuredClone(board);
    applyMove(board, { dealId: 'a', toStageId: 's-prop', afterId: null }, opts);
    expect(board).toEqual(copy);
  });

  it('puts a card at the top when afterId is null, and at the end when afterId is not loaded', () => {
    const board = makeBoard();
    expect(ids(applyMove(board, { dealId: 'a', toStageId: 's-prop', afterId: null }, opts), 1)).toEqual(['a', 'd']);
    expect(ids(applyMove(board, { dealId: 'a', toStageId: 's-prop', afterId: 'zzz' }, opts), 1)).toEqual(['d', 'a']);
  });

  it('reorders within a column without changing totals', () => {
    const board = makeBoard();
    const next = applyMove(board, { dealId: 'a', toStageId: 's-lead', afterId: 'c' }, opts);
    expect(ids(next, 0)).toEqual(['b', 'c', 'a', 'e']);
    expect(next.columns[0]).toMatchObject({ count: 7, total_amount: '5250.50', weighted_amount: '525.05' });
    expect(next.columns[0]!.deals[2]!.stage_entered_at).toBe('2026-11-01T00:00:00Z');
  });

  it('marks a card won when it enters a won stage', () => {
    const next = applyMove(makeBoard(), { dealId: 'b', toStageId: 's-won', afterId: null }, opts);
    expect(next.columns[2]).toMatchObject({ count: 1, total_amount: '250.50', weighted_amount: '250.50' });
    expect(next.columns[2]!.deals[0]).toMatchObject({ status: 'won', closed_at: NOW });
  });

  it('moves a card without an amount: only counts change', () => {
    const next = applyMove(makeBoard(), { dealId: 'c', toStageId: 's-prop', afterId: null }, opts);
    expect(next.columns[0]).toMatchObject({ count: 6, total_amount: '5250.50', weighted_amount: '525.05' });
    expect(next.columns[1]).toMatchObject({ count: 2, total_amount: '2000.00', weighted_amount: '1000.00' });
  });

  it('keeps other currencies out of the workspace-currency totals', () => {
    const next = applyMove(makeBoard(), { dealId: 'e', toStageId: 's-prop', afterId: null }, opts);
    expect(next.columns[0]).toMatchObject({ count: 6, total_amount: '5250.50', other_currencies: {} });
    expect(next.columns[1]).toMatchObject({ count: 2, total_amount: '2000.00', other_currencies: { EUR: '300.00' } });
  });

  it('leaves the board alone for an unknown card or stage', () => {
    const board = makeBoard();
    expect(applyMove(board, { dealId: 'nope', toStageId: 's-prop', afterId: null }, opts)).toBe(board);
    expect(applyMove(board, { dealId: 'a', toStageId: 'nope', afterId: null }, opts)).toBe(board);
  });
});

describe('revertMove (rollback)', () => {
  it.each<[string, Move]>([
    ['across columns', { dealId: 'a', toStageId: 's-prop', afterId: 'd' }],
    ['to a won stage', { dealId: 'b', toStageId: 's-won', afterId: null }],
    ['within a column', { dealId: 'a', toStageId: 's-lead', afterId: 'c' }],
    ['from the middle of a column', { dealId: 'b', toStageId: 's-prop', afterId: null }],
    ['in another currency', { dealId: 'e', toStageId: 's-prop', afterId: null }],
  ])('restores the board exactly after a move %s', (_label, move) => {
    const board = makeBoard();
    const position = positionOf(board, move.dealId)!;
    const original = board.columns.flatMap((c) => c.deals).find((d) => d.id === move.dealId)!;
    const moved = applyMove(board, move, opts);
    expect(moved).not.toEqual(board);
    expect(revertMove(moved, move, position, original, opts)).toEqual(board);
  });
});

describe('moveForDrop (after_id from a drop position)', () => {
  const board = makeBoard();

  it('dropping on a card lower in the same column puts the card below it', () => {
    expect(moveForDrop(board, 'a', { kind: 'card', dealId: 'c' })).toEqual({ dealId: 'a', toStageId: 's-lead', afterId: 'c' });
  });

  it('dropping on a card higher in the same column puts the card above it', () => {
    expect(moveForDrop(board, 'c', { kind: 'card', dealId: 'a' })).toEqual({ dealId: 'c', toStageId: 's-lead', afterId: null });
    expect(moveForDrop(board, 'e', { kind: 'card', dealId: 'b' })).toEqual({ dealId: 'e', toStageId: 's-lead', afterId: 'a' });
  });

  it('dropping on a card of another column puts the card above it, or below with placeBelow', () => {
    expect(moveForDrop(board, 'a', { kind: 'card', dealId: 'd' })).toEqual({ dealId: 'a', toStageId: 's-prop', afterId: null });
    expect(moveForDrop(board, 'a', { kind: 'card', dealId: 'd', placeBelow: true })).toEqual({
      dealId: 'a',
      toStageId: 's-prop',
      afterId: 'd',
    });
  });

  it('dropping on a column puts the card at its end (top of an empty column)', () => {
    expect(moveForDrop(board, 'a', { kind: 'column', stageId: 's-prop' })).toEqual({ dealId: 'a', toStageId: 's-prop', afterId: 'd' });
    expect(moveForDrop(board, 'a', { kind: 'column', stageId: 's-won' })).toEqual({ dealId: 'a', toStageId: 's-won', afterId: null });
  });

  it('is null when the card would stay where it is', () => {
    expect(moveForDrop(board, 'a', { kind: 'card', dealId: 'a' })).toBeNull();
    expect(moveForDrop(board, 'e', { kind: 'column', stageId: 's-lead' })).toBeNull();
    expect(moveForDrop(board, 'b', { kind: 'card', dealId: 'a', placeBelow: true })).toEqual({
      dealId: 'b',
      toStageId: 's-lead',
      afterId: null,
    });
    expect(moveForDrop(board, 'missing', { kind: 'column', stageId: 's-lead' })).toBeNull();
  });
});

describe('replaceCard and appendPage', () => {
  it('puts the server copy of a moved card in place', () => {
    const board = applyMove(makeBoard(), { dealId: 'a', toStageId: 's-prop', afterId: null }, opts);
    const next = replaceCard(board, { ...card('a', 's-prop', '1000.00'), version: 4 });
    expect(next.columns[1]!.deals[0]).toMatchObject({ id: 'a', version: 4 });
  });

  it("appends a column's next page without repeating cards and keeps its cursor", () => {
    const next = appendPage(makeBoard(), 's-lead', [card('c', 's-lead', null), card('f', 's-lead', '5.00')], 'cursor-2');
    expect(ids(next, 0)).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(next.columns[0]!.next_cursor).toBe('cursor-2');
  });
});
