/** One card on the board: an article named by the deal's title, draggable by pointer and keyboard. */
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Link } from 'react-router';
import type { BoardCard, Stage } from '../api/types';
import { daysSince, isIdle } from '../lib/dates';
import { formatMoney } from '../lib/money';

export type CardDragData = { type: 'card'; stageId: string };

type CardProps = { card: BoardCard; stage: Stage; ownerName?: string | undefined; accountName?: string | undefined };

export function CardBody({ card, stage, ownerName, accountName: account, linked = true }: CardProps & { linked?: boolean }) {
  const idle = card.status === 'open' && isIdle(card.stage_entered_at, stage.rotting_days);
  return (
    <>
      <div className="card-title">
        {linked ? (
          <Link to={`/deals/${card.id}`} draggable={false}>
            {card.title}
          </Link>
        ) : (
          card.title
        )}
      </div>
      <div className="card-amount">{formatMoney(card.amount ?? null, card.currency)}</div>
      {account || ownerName ? (
        <div className="card-meta">
          {account ? <span className="card-account">{account}</span> : null}
          {ownerName ? <span className="card-owner">{ownerName}</span> : null}
        </div>
      ) : null}
      {idle ? (
        <span
          className="badge badge-idle"
          title={`In this stage for ${daysSince(card.stage_entered_at)} days; it usually takes ${stage.rotting_days}`}
        >
          Idle {daysSince(card.stage_entered_at)}d
        </span>
      ) : null}
    </>
  );
}

export function DealCard({ card, stage, ownerName, accountName }: CardProps) {
  const data: CardDragData = { type: 'card', stageId: stage.id };
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: card.id,
    data,
    // Keep the card an article named by its title (dnd-kit would make it a button).
    attributes: { role: 'article', roleDescription: 'deal card' },
  });
  // aria-pressed and aria-disabled belong to buttons, not articles.
  const { 'aria-pressed': _pressed, 'aria-disabled': _disabled, ...cardAttributes } = attributes;
  const ref = (node: HTMLElement | null) => {
    setNodeRef(node);
    setActivatorNodeRef(node);
  };
  return (
    <article
      ref={ref}
      {...cardAttributes}
      {...listeners}
      aria-label={card.title}
      className={`card${isDragging ? ' card-dragging' : ''}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-deal-id={card.id}
    >
      <CardBody card={card} stage={stage} ownerName={ownerName} accountName={accountName} />
    </article>
  );
}
