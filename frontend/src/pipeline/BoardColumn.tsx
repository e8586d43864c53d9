/**
 * One stage on the board: a region named by the stage, its count and totals, its cards (sortable),
 * more cards on demand, and a quick-add form.
 */
import { useDroppable } from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { useEffect, useId, useRef } from 'react';
import type { BoardColumn as Column } from '../api/types';
import { formatMoney, formatOtherCurrencies } from '../lib/money';
import { DealCard } from './DealCard';
import { QuickAddDeal } from './QuickAddDeal';

export type ColumnDropData = { type: 'column'; stageId: string };

export const columnDropId = (stageId: string) => `column:${stageId}`;

type Props = {
  column: Column;
  pipelineId: string;
  currency: string;
  ownerNames: Map<string, string>;
  accountNames: Map<string, string>;
  isDropTarget: boolean;
  loadingMore: boolean;
  onLoadMore: (stageId: string, cursor: string) => void;
};

export function BoardColumn({ column, pipelineId, currency, ownerNames, accountNames, isDropTarget, loadingMore, onLoadMore }: Props) {
  const headingId = useId();
  const { stage } = column;
  const data: ColumnDropData = { type: 'column', stageId: stage.id };
  const { setNodeRef } = useDroppable({ id: columnDropId(stage.id), data });
  const others = formatOtherCurrencies(column.other_currencies ?? null);
  const cursor = column.next_cursor ?? null;

  return (
    <section
      role="region"
      aria-label={stage.name}
      ref={setNodeRef}
      className={`column column-${stage.kind}${isDropTarget ? ' column-drop-target' : ''}`}
      data-stage-id={stage.id}
    >
      <header className="column-header">
        <h2 id={headingId} className="column-title">
          <span className="column-name">{stage.name}</span>{' '}
          <span className="column-count" title={`${column.count} deals`}>
            {column.count}
          </span>
        </h2>
        <dl className="column-totals">
          <div>
            <dt>Total</dt>
            <dd>{formatMoney(column.total_amount, currency)}</dd>
          </div>
          <div>
            <dt>Weighted</dt>
            <dd>{formatMoney(column.weighted_amount, currency)}</dd>
          </div>
          {others ? (
            <div>
              <dt>Other currencies</dt>
              <dd>{others}</dd>
            </div>
          ) : null}
        </dl>
        <p className="column-probability">
          {stage.probability}% probability{stage.kind !== 'open' ? ` · ${stage.kind}` : ''}
        </p>
      </header>
      <SortableContext items={column.deals.map((d) => d.id)} strategy={verticalListSortingStrategy}>
        <div className="column-cards">
          {column.deals.map((card) => (
            <DealCard
              key={card.id}
              card={card}
              stage={stage}
              ownerName={card.owner_id ? ownerNames.get(card.owner_id) : undefined}
              accountName={card.account_id ? accountNames.get(card.account_id) : undefined}
            />
          ))}
          {column.deals.length === 0 ? <p className="column-empty">No deals</p> : null}
          {cursor ? <LoadMore loading={loadingMore} onLoad={() => onLoadMore(stage.id, cursor)} /> : null}
        </div>
      </SortableContext>
      <QuickAddDeal stageId={stage.id} stageName={stage.name} pipelineId={pipelineId} requiredFields={stage.required_fields ?? []} />
    </section>
  );
}

/**
 * A "Load more" button that also loads by itself when the person scrolls the column to its end
 * (infinite scroll). Only scrolling a person does counts (wheel, touch, keys): a script scrolling
 * the button into view to click it must not load a page of its own first.
 */
function LoadMore({ loading, onLoad }: { loading: boolean; onLoad: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  const latest = useRef({ loading, onLoad });
  latest.current = { loading, onLoad };

  useEffect(() => {
    const container = ref.current?.closest<HTMLElement>('.column-cards');
    if (!container) return;
    let intentAt = 0;
    const intent = () => {
      intentAt = Date.now();
    };
    const onScroll = () => {
      if (Date.now() - intentAt > 1000 || latest.current.loading) return;
      if (container.scrollTop + container.clientHeight >= container.scrollHeight - 120) latest.current.onLoad();
    };
    const intents = ['wheel', 'touchmove', 'keydown'] as const;
    for (const type of intents) container.addEventListener(type, intent, { passive: true });
    container.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      for (const type of intents) container.removeEventListener(type, intent);
      container.removeEventListener('scroll', onScroll);
    };
  }, []);

  return (
    <button ref={ref} type="button" className="button button-quiet load-more" disabled={loading} onClick={onLoad}>
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}
