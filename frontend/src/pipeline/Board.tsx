/**
 * The board: columns side by side, cards dragged within and across them with a pointer or the
 * keyboard (Space to pick up, arrows to move, Space to drop, Escape to cancel).
 */
import {
  type Announcements,
  type CollisionDetection,
  closestCorners,
  DndContext,
  type DragEndEvent,
  type DragOverEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { useMemo, useState } from 'react';
import { useAccountNames } from '../accounts/accountData';
import type { Board as BoardData } from '../api/types';
import { BoardColumn, type ColumnDropData } from './BoardColumn';
import { type DropTarget, locateCard, type Move, moveForDrop } from './boardMoves';
import { CardBody, type CardDragData } from './DealCard';

type DropData = CardDragData | ColumnDropData | undefined;

/** Under a pointer, the card it is over (else its column); without one (keyboard), the closest. */
const collisionDetection: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  if (within.length > 0) {
    const card = within.find((c) => (c.data?.droppableContainer?.data.current as DropData)?.type === 'card');
    return [card ?? within[0]!];
  }
  return closestCorners(args);
};

type Props = {
  board: BoardData;
  currency: string;
  ownerNames: Map<string, string>;
  loadingStageId: string | null;
  onLoadMore: (stageId: string, cursor: string) => void;
  onMove: (move: Move) => void;
};

export function Board({ board, currency, ownerNames, loadingStageId, onLoadMore, onMove }: Props) {
  const [activeId, setActiveId] = useState<string | null>(null);
  const [overStageId, setOverStageId] = useState<string | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const active = activeId ? locateCard(board, activeId) : null;
  const activeStage = active ? board.columns[active.columnIndex]!.stage : null;

  const titles = useMemo(() => new Map(board.columns.flatMap((c) => c.deals.map((d) => [d.id, d.title] as const))), [board]);
  const accountIds = useMemo(() => board.columns.flatMap((c) => c.deals.flatMap((d) => (d.account_id ? [d.account_id] : []))), [board]);
  const accountNames = useAccountNames(accountIds);
  const stageNames = useMemo(() => new Map(board.columns.map((c) => [c.stage.id, c.stage.name] as const)), [board]);

  function targetOf(event: DragEndEvent | DragOverEvent): DropTarget | null {
    const { over, active: dragged } = event;
    if (!over) return null;
    const data = over.data.current as DropData;
    if (data?.type === 'column') return { kind: 'column', stageId: data.stageId };
    const translated = dragged.rect.current.translated;
    const placeBelow = translated ? translated.top + translated.height / 2 > over.rect.top + over.rect.height / 2 : false;
    return { kind: 'card', dealId: String(over.id), placeBelow };
  }

  function stageOfTarget(target: DropTarget | null): string | null {
    if (!target) return null;
    if (target.kind === 'column') return target.stageId;
    const at = locateCard(board, target.dealId);
    return at ? board.columns[at.columnIndex]!.stage.id : null;
  }

  const announcements: Announcements = {
    onDragStart: ({ active: a }) => `Picked up ${titles.get(String(a.id)) ?? 'deal'}.`,
    onDragOver: ({ active: a, over }) => {
      if (!over) return `${titles.get(String(a.id)) ?? 'The deal'} is not over a stage.`;
      const data = over.data.current as DropData;
      const stage = data ? stageNames.get(data.stageId) : undefined;
      return data?.type === 'card' ? `Over ${titles.get(String(over.id)) ?? 'a deal'} in ${stage}.` : `Over ${stage}.`;
    },
    onDragEnd: ({ active: a, over }) => {
      const data = over?.data.current as DropData;
      const stage = data ? stageNames.get(data.stageId) : undefined;
      return stage ? `Dropped ${titles.get(String(a.id)) ?? 'deal'} in ${stage}.` : `Dropped ${titles.get(String(a.id)) ?? 'deal'}.`;
    },
    onDragCancel: ({ active: a }) => `Moving ${titles.get(String(a.id)) ?? 'the deal'} was cancelled.`,
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisionDetection}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            'To move a deal, press Space or Enter. Use the arrow keys to move it between and within stages, Space or Enter to drop it, Escape to cancel.',
        },
      }}
      onDragStart={(event: DragStartEvent) => setActiveId(String(event.active.id))}
      onDragOver={(event: DragOverEvent) => setOverStageId(stageOfTarget(targetOf(event)))}
      onDragCancel={() => {
        setActiveId(null);
        setOverStageId(null);
      }}
      onDragEnd={(event: DragEndEvent) => {
        setActiveId(null);
        setOverStageId(null);
        const target = targetOf(event);
        if (!target) return;
        const move = moveForDrop(board, String(event.active.id), target);
        if (move) onMove(move);
      }}
    >
      <div className="board" data-dragging={activeId ? 'true' : undefined}>
        {board.columns.map((column) => (
          <BoardColumn
            key={column.stage.id}
            column={column}
            pipelineId={board.pipeline.id}
            currency={currency}
            ownerNames={ownerNames}
            accountNames={accountNames}
            isDropTarget={activeId !== null && overStageId === column.stage.id}
            loadingMore={loadingStageId === column.stage.id}
            onLoadMore={onLoadMore}
          />
        ))}
      </div>
      <DragOverlay>
        {active && activeStage ? (
          // A picture of the card under the pointer; hidden from assistive tech, which follows the real one.
          <div className="card card-overlay" aria-hidden="true">
            <CardBody
              linked={false}
              card={active.card}
              stage={activeStage}
              ownerName={active.card.owner_id ? ownerNames.get(active.card.owner_id) : undefined}
              accountName={active.card.account_id ? accountNames.get(active.card.account_id) : undefined}
            />
          </div>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}
