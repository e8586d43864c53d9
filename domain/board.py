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

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    Uuid,
    bindparam,
    func,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from domain import lost_reasons, ranks
from domain.deals import (
    DealRecord,
    announce,
    deal_links,
    deal_records,
    enter_stage,
    entry_events,
    history_row,
    missing_errors,
    missing_fields,
    record_of,
    stage_entry,
    title_matches,
)
from domain.errors import FieldError, NotFound, ValidationFailed, invalid
from domain.models import Deal, Stage, StageTotal, Workspace
from domain.money import CURRENCY_MINOR_UNITS
from domain.outbox import NOTIFY_CHANNEL
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

    Three statements (see _LOAD_FOR_MOVE, _placement and _write_move): a move is the board's
    hottest write, and its cost was round trips and per-statement overhead, not work in the
    database.
    """
    ws = principal.workspace_id
    deal, source, target = await _load_for_move(session, ws, deal_id, to_stage_id)
    expect_version(deal, expected_version, "deal")
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
    place = await _placement(session, ws, deal.id, target.id, after_id)
    links = list(zip(place.contact_ids, place.contact_roles, strict=True))
    contacts = list(place.contact_ids)
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
    if after_id is not None and (place.after_stage_id != target.id or after_id == deal.id):
        errors.append(
            FieldError(loc=["body", "after_id"], msg="after_id is not another deal in the target stage")
        )
    if errors:
        raise ValidationFailed(
            "The deal cannot move there: " + "; ".join(e.msg for e in errors), errors=errors
        )
    rank = ranks.key_between(place.before, place.following)
    if rank is None:
        rank = await ranks.respread(session, ws, target.id, deal.id, after_id=after_id, at_end=False)
    record_ = record_of(deal, links)
    from_stage_id = deal.stage_id
    changes: dict[str, Any] = {"rank": rank, "updated_at": now, "version": deal.version + 1}
    if changing:
        changes.update(stage_entry(deal, target, now))
        if target.kind == "lost" and reason:
            changes["lost_reason"], changes["lost_reason_detail"] = reason, detail
    # The deal object shows the move before the write: the outbox payload is its snapshot. The
    # values are set as loaded state, so the session has nothing to flush for this deal.
    for key, value in changes.items():
        set_committed_value(deal, key, value)
    if not changing:
        await _write_move(session, principal, deal, expected=deal.version - 1, now=now)
        return record_
    await _write_move(
        session,
        principal,
        deal,
        expected=deal.version - 1,
        now=now,
        stage_change=_StageChange(
            from_stage_id=from_stage_id,
            from_stage=source.name if source else None,
            target=target,
            payload=record_.snapshot(),
        ),
    )
    return record_


def _load_for_move_statement() -> Select[Any, Any, Any, Any]:
    """Built once: constructing an ORM statement costs a move more CPU than running it."""
    locked = (
        select(Deal)
        .where(Deal.workspace_id == bindparam("ws"), Deal.id == bindparam("deal_id"))
        .with_for_update()
        .subquery("locked")
    )
    deal_row = aliased(Deal, locked)
    source = aliased(Stage, name="source")
    target = aliased(Stage, name="target")
    column_lock = func.pg_advisory_xact_lock(func.hashtextextended(bindparam("lock_key", type_=String), 0))
    return (
        select(deal_row, source, target, column_lock.label("column_lock"))
        .select_from(locked)
        .outerjoin(source, (source.workspace_id == bindparam("ws")) & (source.id == deal_row.stage_id))
        .outerjoin(target, (target.workspace_id == bindparam("ws")) & (target.id == bindparam("to_stage_id")))
        .execution_options(populate_existing=True)
    )


_LOAD_FOR_MOVE = _load_for_move_statement()


async def _load_for_move(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID, to_stage_id: uuid.UUID
) -> tuple[Deal, Stage | None, Stage | None]:
    """The deal, row-locked, its current stage and the target, and the target column's lock.

    Locks in the order every placement takes them: the deal's row (in the inner query, so a
    racing mover of the same deal is waited for and its committed row is what comes back), then
    the column (evaluated per row of the outer query, after the row lock). The stages are joined
    outside the locked query: re-checking a join after waiting would drop a deal whose stage the
    winner changed. Nothing is locked for a deal that does not exist.
    """
    params = {
        "ws": workspace_id,
        "deal_id": deal_id,
        "to_stage_id": to_stage_id,
        "lock_key": ranks.column_lock_key(to_stage_id),
    }
    row = (await session.execute(_LOAD_FOR_MOVE, params)).first()
    if row is None:
        raise NotFound("Deal not found")
    return row[0], row[1], row[2]


@dataclass(frozen=True)
class _Placement:
    contact_ids: list[uuid.UUID]
    contact_roles: list[str | None]
    after_stage_id: uuid.UUID | None
    before: str | None
    following: str | None


# The deal's contacts, the card it goes below (its stage and key) and the key of the card that
# will follow it, in one statement after the column lock. A row comparison on (rank, id) walks
# the board index from the anchor on.
_PLACEMENT_TOP = text(
    """
SELECT ARRAY(SELECT dc.contact_id FROM deal_contacts dc
             WHERE dc.workspace_id = :ws AND dc.deal_id = :deal ORDER BY dc.position) AS contact_ids,
       ARRAY(SELECT dc.role FROM deal_contacts dc
             WHERE dc.workspace_id = :ws AND dc.deal_id = :deal ORDER BY dc.position) AS contact_roles,
       NULL::uuid AS after_stage_id, NULL::text AS before,
       (SELECT d.rank FROM deals d
        WHERE d.workspace_id = :ws AND d.stage_id = :stage AND d.id <> :deal
        ORDER BY d.rank, d.id LIMIT 1) AS following
"""
)
_PLACEMENT_AFTER = text(
    """
SELECT ARRAY(SELECT dc.contact_id FROM deal_contacts dc
             WHERE dc.workspace_id = :ws AND dc.deal_id = :deal ORDER BY dc.position) AS contact_ids,
       ARRAY(SELECT dc.role FROM deal_contacts dc
             WHERE dc.workspace_id = :ws AND dc.deal_id = :deal ORDER BY dc.position) AS contact_roles,
       a.stage_id AS after_stage_id, a.rank AS before,
       (SELECT d.rank FROM deals d
        WHERE d.workspace_id = :ws AND d.stage_id = :stage AND d.id <> :deal
          AND (d.rank, d.id) > (a.rank, a.id)
        ORDER BY d.rank, d.id LIMIT 1) AS following
FROM (SELECT 1) AS one
LEFT JOIN deals a ON a.workspace_id = :ws AND a.id = :after
"""
)


async def _placement(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    deal_id: uuid.UUID,
    stage_id: uuid.UUID,
    after_id: uuid.UUID | None,
) -> _Placement:
    params: dict[str, Any] = {"ws": workspace_id, "deal": deal_id, "stage": stage_id}
    if after_id is None:
        row = (await session.execute(_PLACEMENT_TOP, params)).one()
    else:
        row = (await session.execute(_PLACEMENT_AFTER, {**params, "after": after_id})).one()
    return _Placement(
        contact_ids=list(row.contact_ids or ()),
        contact_roles=list(row.contact_roles or ()),
        after_stage_id=row.after_stage_id,
        before=row.before,
        following=row.following,
    )


@dataclass(frozen=True)
class _StageChange:
    from_stage_id: uuid.UUID
    from_stage: str | None
    target: Stage
    payload: dict[str, Any]


_UPDATE_MOVED = """
UPDATE deals SET rank = :rank, updated_at = :now, version = :version{stage_columns}
WHERE workspace_id = :ws AND id = :deal AND version = :expected
RETURNING id
"""
_STAGE_COLUMNS = """, pipeline_id = :pipeline_id, stage_id = :stage_id, stage_entered_at = :stage_entered_at,
    status = :status, closed_at = :closed_at, lost_reason = :lost_reason,
    lost_reason_detail = :lost_reason_detail"""
# A stage change writes the deal, its history row, its timeline event and its outbox events (and
# wakes the dispatcher) in one statement; the triggers on deals and stage_history (stage totals,
# report summaries) fire at its end as they would for separate statements.
_MOVE_WITH_STAGE_CHANGE = text(
    f"""
WITH moved AS ({_UPDATE_MOVED.format(stage_columns=_STAGE_COLUMNS)}),
history AS (
    INSERT INTO stage_history
        (id, workspace_id, deal_id, pipeline_id, from_stage_id, to_stage_id, actor_type, actor_id, at)
    SELECT CAST(:history_id AS uuid), CAST(:ws AS uuid), moved.id, CAST(:pipeline_id AS uuid),
           CAST(:from_stage_id AS uuid), CAST(:stage_id AS uuid), CAST(:actor_type AS text),
           CAST(:actor_id AS uuid), CAST(:now AS timestamptz)
    FROM moved
),
timeline AS (
    INSERT INTO timeline_events
        (id, workspace_id, subject_type, subject_id, type, actor_type, actor_id, actor_name, data, at)
    SELECT CAST(:timeline_id AS uuid), CAST(:ws AS uuid), 'deal', moved.id, 'stage_changed',
           CAST(:actor_type AS text), CAST(:actor_id AS uuid), CAST(:actor_name AS text),
           CAST(:timeline_data AS jsonb), CAST(:now AS timestamptz)
    FROM moved
),
events AS (
    INSERT INTO outbox_events
        (id, workspace_id, type, subject_type, subject_id, actor, payload, created_at, dispatch_count)
    SELECT e.id, CAST(:ws AS uuid), e.type, 'deal', moved.id, CAST(:actor AS jsonb),
           CAST(:payload AS jsonb), CAST(:now AS timestamptz), 0
    FROM moved
    CROSS JOIN unnest(CAST(:event_ids AS uuid[]), CAST(:event_types AS text[])) AS e(id, type)
)
SELECT moved.id, pg_notify('{NOTIFY_CHANNEL}', '') FROM moved
"""
).bindparams(
    bindparam("timeline_data", type_=JSONB),
    bindparam("actor", type_=JSONB),
    bindparam("payload", type_=JSONB),
    bindparam("event_ids", type_=ARRAY(Uuid)),
    bindparam("event_types", type_=ARRAY(String)),
)
_MOVE_IN_COLUMN = text(_UPDATE_MOVED.format(stage_columns=""))


async def _write_move(
    session: AsyncSession,
    principal: Principal,
    deal: Deal,
    *,
    expected: int,
    now: datetime,
    stage_change: _StageChange | None = None,
) -> None:
    params: dict[str, Any] = {
        "ws": principal.workspace_id,
        "deal": deal.id,
        "rank": deal.rank,
        "now": now,
        "version": deal.version,
        "expected": expected,
    }
    if stage_change is None:
        written = (await session.execute(_MOVE_IN_COLUMN, params)).first()
    else:
        target = stage_change.target
        types = ["deal.stage_changed", *entry_events(target)]
        params.update(
            pipeline_id=deal.pipeline_id,
            stage_id=deal.stage_id,
            stage_entered_at=deal.stage_entered_at,
            status=deal.status,
            closed_at=deal.closed_at,
            lost_reason=deal.lost_reason,
            lost_reason_detail=deal.lost_reason_detail,
            history_id=uuid.uuid4(),
            from_stage_id=stage_change.from_stage_id,
            actor_type=principal.kind,
            actor_id=principal.actor_id,
            actor_name=principal.name,
            timeline_id=uuid.uuid4(),
            timeline_data={
                "from_stage_id": str(stage_change.from_stage_id),
                "to_stage_id": str(target.id),
                "from_stage": stage_change.from_stage,
                "to_stage": target.name,
            },
            actor=principal.actor(),
            payload=stage_change.payload,
            event_ids=[uuid.uuid4() for _ in types],
            event_types=types,
        )
        written = (await session.execute(_MOVE_WITH_STAGE_CHANGE, params)).first()
    # The row is locked and its version was read under the lock: only a bug gets here.
    assert written is not None, "the locked deal was not updated"


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
