"""The board: cards moving between and within columns, and the columns as the board shows them.

A move writes only the moved deal (its neighbours keep their keys, see domain.ranks) and, when
the stage changes, its history row, timeline event and outbox events.

Reading the whole board costs a fixed number of queries however many stages it has: the
pipeline and its stages, the workspace's currency, one query for every column's totals (running
totals for open columns, see migration 0005), one for every column's first cards (a LATERAL
index walk per stage), and their contacts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain import lost_reasons, ranks
from domain.deals import (
    DealRecord,
    announce,
    deal_links,
    deal_records,
    enter_stage,
    entry_events,
    history_row,
    load_deal,
    load_stage,
    missing_errors,
    missing_fields,
    record_of,
    title_matches,
)
from domain.errors import FieldError, ValidationFailed, invalid
from domain.models import Deal, Stage, StageTotal, Workspace
from domain.money import CURRENCY_MINOR_UNITS
from domain.pagination import Keyset
from domain.pipelines import PipelineView, get_pipeline
from domain.principal import Principal
from domain.records import clean_text, expect_version
from domain.timeline import record

# Won and lost columns show what closed lately, not every deal ever closed.
RECENT_CLOSED = timedelta(days=30)


async def move_deal(
    *,
    session: AsyncSession,
    principal: Principal,
    deal_id: uuid.UUID,
    to_stage_id: uuid.UUID,
    after_id: uuid.UUID | None,
    expected_version: int | None,
    lost_reason: str | None = None,
    lost_reason_detail: str | None = None,
    off_list: lost_reasons.OffList = "refuse",
    pipeline_id: uuid.UUID | None = None,
    now: datetime,
) -> DealRecord:
    """Drop the card in `to_stage_id` just below `after_id` (None: at the top).

    Checks run in the contract's order: 404, then 412, then every 422 at once. Only the moved
    deal is written (its neighbours keep their keys), plus its history when the stage changes.
    """
    ws = principal.workspace_id
    deal = await load_deal(session, principal, deal_id, lock=True)
    expect_version(deal, expected_version, "deal")
    target = await load_stage(session, ws, to_stage_id)
    if target is None:
        raise invalid("stage_id", "stage_id is not a stage of this workspace")
    errors: list[FieldError] = []
    if (
        target.pipeline_id != deal.pipeline_id or pipeline_id is not None
    ) and pipeline_id != target.pipeline_id:
        errors.append(
            FieldError(
                loc=["body", "pipeline_id"],
                msg="Moving to another pipeline's stage needs pipeline_id equal to that stage's pipeline",
            )
        )
    links = (await deal_links(session, ws, [deal.id]))[deal.id]
    contacts = [c for c, _ in links]
    changing = target.id != deal.stage_id
    reason, detail = clean_text(lost_reason), clean_text(lost_reason_detail)
    if reason is not None:
        # A reason from the workspace's pick-list (automations may file theirs under "Other").
        try:
            reason, detail = await lost_reasons.resolve(session, ws, reason, detail, off_list=off_list)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            reason = lost_reason
    if changing:
        errors += missing_errors(target, missing_fields(deal, contacts, target))
        if target.kind == "lost" and not (reason or deal.lost_reason):
            errors.append(
                FieldError(
                    loc=["body", "lost_reason"],
                    type="missing",
                    msg=f"Stage {target.name!r} is a lost stage: say why with lost_reason",
                )
            )
    # Placing the card reads its neighbours: hold the column from here to the commit.
    await ranks.lock_column(session, target.id)
    if after_id is not None:
        after_stage = await session.scalar(
            select(Deal.stage_id).where(Deal.workspace_id == ws, Deal.id == after_id)
        )
        if after_stage != target.id or after_id == deal.id:
            errors.append(
                FieldError(loc=["body", "after_id"], msg="after_id is not another deal in the target stage")
            )
    if errors:
        raise ValidationFailed(
            "The deal cannot move there: " + "; ".join(e.msg for e in errors), errors=errors
        )
    source = await load_stage(session, ws, deal.stage_id)
    # The last query before the deal changes, so it is written once, at the flush below.
    deal.rank = await ranks.rank_after(
        session, workspace_id=ws, stage_id=target.id, moving_id=deal.id, after_id=after_id
    )
    deal.updated_at = now
    record_ = record_of(deal, links)
    if not changing:
        await session.flush()
        return record_
    if target.kind == "lost" and reason:
        deal.lost_reason, deal.lost_reason_detail = reason, detail
    enter_stage(deal, target, now)
    await session.flush()
    await _stage_entered(session, principal, record_, source, target, now)
    return record_


async def _stage_entered(
    session: AsyncSession,
    principal: Principal,
    record_: DealRecord,
    source: Stage | None,
    target: Stage,
    now: datetime,
) -> None:
    deal = record_.deal
    session.add(history_row(principal, deal, source.id if source else None, now))
    await record(
        session,
        principal=principal,
        subject_type="deal",
        subject_id=deal.id,
        type="stage_changed",
        at=now,
        data={
            "from_stage_id": str(source.id) if source else None,
            "to_stage_id": str(target.id),
            "from_stage": source.name if source else None,
            "to_stage": target.name,
        },
    )
    await announce(session, principal, record_, ["deal.stage_changed", *entry_events(target)], now)


async def relocate_stage_deals(
    *, session: AsyncSession, principal: Principal, from_stage: Stage, to_stage: Stage, now: datetime
) -> int:
    """Move every deal of a stage being deleted to the end of another column, keeping their order.

    An admin's reorganisation, not a salesperson's move: the target's required fields are not
    demanded, but each deal gets its history row and events like any other stage change.
    """
    ws = principal.workspace_id
    # Row locks before the column lock, the same order a move takes them in.
    deals = list(
        (
            await session.execute(
                select(Deal)
                .where(Deal.workspace_id == ws, Deal.stage_id == from_stage.id)
                .order_by(Deal.rank, Deal.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    if not deals:
        return 0
    await ranks.lock_column(session, to_stage.id)
    key = await ranks.rank_at_end(session, workspace_id=ws, stage_id=to_stage.id, moving_id=None)
    for deal in deals:
        deal.rank = key
        key = ranks.rank_between(key, None)
        if to_stage.kind == "lost" and not deal.lost_reason:
            deal.lost_reason = f"Stage {from_stage.name!r} was removed"
        enter_stage(deal, to_stage, now)
        deal.updated_at = now
    await session.flush()
    for record_ in await deal_records(session, ws, deals):
        await _stage_entered(session, principal, record_, from_stage, to_stage, now)
    await session.flush()
    return len(deals)


@dataclass
class BoardColumn:
    stage_id: uuid.UUID
    count: int = 0
    total_amount: Decimal = Decimal(0)
    weighted_amount: Decimal = Decimal(0)
    # Totals of deals in currencies other than the workspace's, never converted.
    other_currencies: dict[str, Decimal] = field(default_factory=dict)
    cards: list[DealRecord] = field(default_factory=list)
    next: Keyset | None = None


@dataclass
class Board:
    pipeline: PipelineView
    currency: str
    columns: list[BoardColumn]


def _round(amount: Decimal, currency: str) -> Decimal:
    quantum = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


def _card_filters(
    deal: Any, owner_id: uuid.UUID | None, q: str | None, now: datetime
) -> list[ColumnElement[bool]]:
    """Which deals the columns show: all open ones, and those closed in the last 30 days."""
    conditions: list[ColumnElement[bool]] = [
        or_(deal.status == "open", deal.closed_at >= now - RECENT_CLOSED),
    ]
    if owner_id is not None:
        conditions.append(deal.owner_id == owner_id)
    if q and q.strip():
        conditions.append(title_matches(q, deal))
    return conditions


def _totals_query(
    workspace_id: uuid.UUID, stages: list[Stage], filtered: bool, filters: list[ColumnElement[bool]]
) -> Select[Any, Any, Any, Any]:
    """(stage_id, currency, count, amount) rows for every column, in one statement.

    Unfiltered open columns read the running totals (kept by triggers in the writing
    transaction), so their cost does not grow with the deals; closed columns, and any filtered
    board, aggregate the deals themselves.
    """
    open_ids = [s.id for s in stages if s.kind == "open"]
    closed_ids = [s.id for s in stages if s.kind != "open"]
    aggregate_ids = closed_ids + (open_ids if filtered else [])
    aggregated = (
        select(
            Deal.stage_id,
            Deal.currency,
            func.count().label("n"),
            func.coalesce(func.sum(Deal.amount), 0).label("amount"),
        )
        .where(Deal.workspace_id == workspace_id, Deal.stage_id.in_(aggregate_ids), *filters)
        .group_by(Deal.stage_id, Deal.currency)
    )
    if filtered or not open_ids:
        return aggregated
    running = select(
        StageTotal.stage_id, StageTotal.currency, StageTotal.open_count, StageTotal.open_amount
    ).where(
        StageTotal.workspace_id == workspace_id, StageTotal.stage_id.in_(open_ids), StageTotal.open_count > 0
    )
    return select(union_all(running, aggregated).subquery())


async def board_columns(
    *,
    session: AsyncSession,
    principal: Principal,
    pipeline_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
    q: str | None = None,
    limit: int,
    now: datetime,
) -> Board:
    ws = principal.workspace_id
    view = await get_pipeline(session, principal, pipeline_id)
    currency = await session.scalar(select(Workspace.currency).where(Workspace.id == ws)) or "USD"
    columns = {stage.id: BoardColumn(stage_id=stage.id) for stage in view.stages}
    probability = {stage.id: stage.probability for stage in view.stages}
    filters = _card_filters(Deal, owner_id, q, now)
    filtered = owner_id is not None or bool(q and q.strip())

    totals = await session.execute(_totals_query(ws, list(view.stages), filtered, filters))
    for stage_id, deal_currency, count, total in totals.all():
        column = columns.get(stage_id)
        if column is None:
            continue
        column.count += count
        if deal_currency == currency:
            column.total_amount += Decimal(total or 0)
        else:
            column.other_currencies[deal_currency] = _round(Decimal(total or 0), deal_currency)
    for column in columns.values():
        column.weighted_amount = _round(column.total_amount * probability[column.stage_id] / 100, currency)
        column.total_amount = _round(column.total_amount, currency)

    # Each column's first cards, plus one that says whether it goes on: a LATERAL per stage walks
    # the (workspace_id, stage_id, rank, id) index and stops, whatever the column holds.
    card = aliased(Deal)
    column_cards = (
        select(card.id.label("id"))
        .where(card.workspace_id == ws, card.stage_id == Stage.id, *_card_filters(card, owner_id, q, now))
        .order_by(card.rank, card.id)
        .limit(limit + 1)
        .correlate(Stage)
        .lateral("column_cards")
    )
    cards = list(
        (
            await session.execute(
                select(Deal)
                .select_from(Stage)
                .join(column_cards, true())
                .join(Deal, Deal.id == column_cards.c.id)
                .where(Stage.workspace_id == ws, Stage.pipeline_id == pipeline_id, Deal.workspace_id == ws)
                .order_by(Deal.stage_id, Deal.rank, Deal.id)
            )
        ).scalars()
    )
    links = await deal_links(session, ws, [d.id for d in cards])
    for deal in cards:
        column = columns.get(deal.stage_id)
        if column is None:
            continue
        if len(column.cards) < limit:
            column.cards.append(record_of(deal, links[deal.id]))
        else:
            last = column.cards[-1].deal
            column.next = Keyset(sort="rank", value=last.rank, id=last.id)
    return Board(pipeline=view, currency=currency, columns=[columns[s.id] for s in view.stages])
