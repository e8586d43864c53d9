"""Renewals: a won deal's contract coming to its end opens the renewal deal, once.

The sweep finds won deals whose contract ends (the deal's `contract_end_date`, else its
project's) within their pipeline's `renewal_lead_days` (60 by default; null switches it off)
and opens for each a deal "Renewal: <title>" in the pipeline's `renewal_pipeline_id` (else
the same pipeline), in its first open stage, linked by `renewal_of_id`, owned by the account's
owner (else the deal's, else the first admin), worth the renewal amount (else the deal's
amount), expected to close when the contract ends, with a task for the owner.

Once, whatever runs twice: opening a renewal first locks the original deal's row, then looks
for an existing renewal, so a second sweep, an overlapping worker or the `create_renewal_deal`
automation action waits and then finds it; the partial UNIQUE index on `renewal_of_id` is the
wall behind that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import structlog
from sqlalchemy import Date, Select, and_, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domain import activities, deals
from domain.db import workspace_transaction
from domain.errors import DomainError
from domain.models import Account, Deal, Membership, Pipeline, Project
from domain.pipelines import first_open_stage
from domain.principal import Principal
from domain.projects import first_admin, renewal_value, system_principal

log = structlog.get_logger("rapport.renewals")

BATCH = 500
TASK_LEAD = timedelta(days=7)


@dataclass(frozen=True)
class Opened:
    deal: deals.DealRecord
    task_id: uuid.UUID | None


async def _member(session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
    if user_id is None:
        return False
    found = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    return bool(found)


async def renewal_owner(session: AsyncSession, deal: Deal) -> uuid.UUID | None:
    """Who renews it: the account's owner, else the deal's, else the workspace's first admin."""
    ws = deal.workspace_id
    if deal.account_id is not None:
        account_owner = await session.scalar(
            select(Account.owner_id).where(Account.workspace_id == ws, Account.id == deal.account_id)
        )
        if await _member(session, ws, account_owner):
            return account_owner
    if await _member(session, ws, deal.owner_id):
        return deal.owner_id
    return await first_admin(session, ws)


async def existing_renewal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID
) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Deal.id).where(Deal.workspace_id == workspace_id, Deal.renewal_of_id == deal_id)
    )
    return found


async def open_renewal(
    session: AsyncSession,
    *,
    principal: Principal,
    deal_id: uuid.UUID,
    pipeline_id: uuid.UUID | None,
    stage_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    with_task: bool,
    now: datetime,
) -> Opened | None:
    """Open the deal's renewal unless it has one (None then). A domain refusal raises."""
    ws = principal.workspace_id
    original = await deals.load_deal(session, principal, deal_id, lock=True)
    if await existing_renewal(session, ws, original.id) is not None:
        return None
    project = await session.scalar(
        select(Project).where(Project.workspace_id == ws, Project.deal_id == original.id)
    )
    contract_end = original.contract_end_date or (project.contract_end_date if project else None)
    contacts = (await deals.contact_ids_by_deal(session, ws, [original.id]))[original.id]
    owner = owner_id or await renewal_owner(session, original)
    renewal = await deals.create_deal(
        session=session,
        principal=principal,
        title=f"Renewal: {original.title}"[:300],
        amount=renewal_value(project, original),
        currency=original.currency,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        account_id=original.account_id,
        contact_ids=contacts,
        owner_id=owner,
        expected_close_date=contract_end,
        source=original.source,
        renewal_of_id=original.id,
        now=now,
    )
    task_id = None
    if with_task:
        due = now + TASK_LEAD
        if contract_end is not None:
            due = min(due, datetime.combine(contract_end, time(9), tzinfo=UTC))
        task = await activities.create_activity(
            session,
            principal=principal,
            now=now,
            fields={
                "type": "task",
                "subject": f"Prepare the renewal of {original.title}"[:500],
                "body": f"The contract ends on {contract_end.isoformat()}." if contract_end else None,
                "due_at": max(due, now),
                "owner_id": renewal.deal.owner_id,
                "deal_id": renewal.deal.id,
                "account_id": original.account_id,
            },
        )
        task_id = task.id
    return Opened(renewal, task_id)


def due_renewals_query(
    today: date, *, workspace_id: uuid.UUID | None = None, limit: int = BATCH
) -> Select[uuid.UUID, uuid.UUID]:
    """(workspace_id, deal_id) of won deals whose contract ends within their pipeline's lead time."""
    renewal = aliased(Deal)
    end = func.coalesce(Deal.contract_end_date, Project.contract_end_date)
    horizon = cast(literal(today), Date) + func.coalesce(Pipeline.renewal_lead_days, 0)
    query = (
        select(Deal.workspace_id, Deal.id)
        .join(Pipeline, and_(Pipeline.workspace_id == Deal.workspace_id, Pipeline.id == Deal.pipeline_id))
        .outerjoin(Project, and_(Project.workspace_id == Deal.workspace_id, Project.deal_id == Deal.id))
        .where(
            Deal.status == "won",
            Pipeline.renewal_lead_days.is_not(None),
            end >= today,
            end <= horizon,
            ~exists().where(renewal.workspace_id == Deal.workspace_id, renewal.renewal_of_id == Deal.id),
        )
        .order_by(end, Deal.id)
        .limit(limit)
    )
    if workspace_id is not None:
        query = query.where(Deal.workspace_id == workspace_id)
    return query


async def _open_due(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID, now: datetime
) -> bool:
    deal = await session.scalar(
        select(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id).with_for_update()
    )
    if deal is None or deal.status != "won":
        return False
    pipeline = await session.scalar(
        select(Pipeline).where(Pipeline.workspace_id == workspace_id, Pipeline.id == deal.pipeline_id)
    )
    assert pipeline is not None
    target = pipeline.renewal_pipeline_id or pipeline.id
    stage = await first_open_stage(session, workspace_id, target)
    if stage is None:
        log.warning("renewals.no_open_stage", workspace_id=str(workspace_id), pipeline_id=str(target))
        return False
    owner = await renewal_owner(session, deal)
    if owner is None:
        return False
    principal = system_principal(workspace_id, owner, "Renewals")
    opened = await open_renewal(
        session,
        principal=principal,
        deal_id=deal.id,
        pipeline_id=stage.pipeline_id,
        stage_id=stage.id,
        owner_id=owner,
        with_task=True,
        now=now,
    )
    return opened is not None


async def open_due_renewals_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, limit: int = BATCH
) -> int:
    """Open every renewal that is due; the number opened. Safe to run twice or side by side."""
    # Finding what is due looks across workspaces (connecting role); each renewal then opens in
    # its own workspace's transaction, so one refused (a stage's required field) stops no other.
    today = now.astimezone(UTC).date()
    async with sessionmaker() as session, session.begin():
        due = (await session.execute(due_renewals_query(today, limit=limit))).all()
    opened = 0
    for workspace_id, deal_id in due:
        try:
            async with workspace_transaction(sessionmaker, workspace_id) as session:
                if await _open_due(session, workspace_id, deal_id, now):
                    opened += 1
        except DomainError as exc:
            log.warning(
                "renewals.refused", workspace_id=str(workspace_id), deal_id=str(deal_id), detail=exc.detail
            )
    if opened:
        log.info("renewals.opened", count=opened)
    return opened
