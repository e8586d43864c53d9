"""The workspace's data-quality picture: what needs a person's attention, counted and listed.

Duplicate groups; open deals rotting in their stage (older than the stage's `rotting_days` since
the last stage change or activity a person logged, the rule automations' `deal_rotting` uses);
open deals whose expected close date has passed (in the workspace's time zone); contacts without
an owner, an email, a phone, or any way to reach them. Each comes with its count and its first
`limit` records, the most pressing first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.hygiene.duplicates import DuplicateGroup, count_groups, list_groups
from domain.models import Activity, Contact, Deal, Stage, Workspace
from domain.principal import Principal


@dataclass
class DealIssue:
    id: uuid.UUID
    title: str
    amount: Decimal | None
    currency: str
    stage_id: uuid.UUID
    stage: str
    owner_id: uuid.UUID | None
    expected_close_date: date | None
    since: datetime | date | None  # idle since (rotting) or the date that passed (overdue)


@dataclass
class Listing:
    count: int
    items: list[Any] = field(default_factory=list)


@dataclass
class Picture:
    duplicates: Listing
    rotting_deals: Listing
    overdue_deals: Listing
    contacts_without_owner: Listing
    contacts_without_email: Listing
    contacts_without_phone: Listing
    contacts_unreachable: Listing


def _last_touch(now: datetime) -> ColumnElement[datetime]:
    """When a person last moved the deal or logged something on it (a task counts once done)."""
    logged = (
        select(func.max(func.coalesce(Activity.completed_at, Activity.created_at)))
        .where(
            Activity.workspace_id == Deal.workspace_id,
            Activity.deal_id == Deal.id,
            Activity.created_by_type == "user",
            or_(Activity.type != "task", Activity.completed_at.is_not(None)),
            Activity.created_at <= now,
        )
        .correlate(Deal)
        .scalar_subquery()
    )
    return func.greatest(Deal.stage_entered_at, func.coalesce(logged, Deal.stage_entered_at))


async def _deals(session: AsyncSession, query: Select[Any], order: Any, limit: int) -> Listing:
    count = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (await session.execute(query.order_by(order, Deal.id).limit(limit))).all()
    return Listing(
        count=int(count or 0),
        items=[
            DealIssue(
                id=row.Deal.id,
                title=row.Deal.title,
                amount=row.Deal.amount,
                currency=row.Deal.currency,
                stage_id=row.Deal.stage_id,
                stage=row.stage,
                owner_id=row.Deal.owner_id,
                expected_close_date=row.Deal.expected_close_date,
                since=row.since,
            )
            for row in rows
        ],
    )


async def _contacts(
    session: AsyncSession, workspace_id: uuid.UUID, condition: ColumnElement[bool], limit: int
) -> Listing:
    where = and_(Contact.workspace_id == workspace_id, Contact.merged_into_id.is_(None), condition)
    count = await session.scalar(select(func.count()).select_from(Contact).where(where))
    items = list(
        (
            await session.scalars(
                select(Contact)
                .where(where)
                .order_by(Contact.created_at.desc(), Contact.id.desc())
                .limit(limit)
            )
        ).all()
    )
    return Listing(count=int(count or 0), items=items)


async def picture(session: AsyncSession, *, principal: Principal, now: datetime, limit: int = 20) -> Picture:
    ws = principal.workspace_id
    zone = await session.scalar(select(Workspace.timezone).where(Workspace.id == ws))
    today = now.astimezone(ZoneInfo(zone or "UTC")).date()
    open_deals = (Deal.workspace_id == ws, Deal.status == "open")
    staged = select(Deal, Stage.name.label("stage")).join(
        Stage, and_(Stage.workspace_id == Deal.workspace_id, Stage.id == Deal.stage_id)
    )
    touch = _last_touch(now)
    rotting = staged.add_columns(touch.label("since")).where(
        *open_deals,
        Stage.rotting_days.is_not(None),
        touch < now - func.make_interval(0, 0, 0, Stage.rotting_days),
    )
    overdue = staged.add_columns(Deal.expected_close_date.label("since")).where(
        *open_deals, Deal.expected_close_date < today
    )
    groups, _ = await list_groups(session, ws, limit=limit)
    duplicates = Listing(count=await count_groups(session, ws), items=list[DuplicateGroup](groups))
    return Picture(
        duplicates=duplicates,
        rotting_deals=await _deals(session, rotting, touch, limit),
        overdue_deals=await _deals(session, overdue, Deal.expected_close_date, limit),
        contacts_without_owner=await _contacts(session, ws, Contact.owner_id.is_(None), limit),
        contacts_without_email=await _contacts(session, ws, Contact.email.is_(None), limit),
        contacts_without_phone=await _contacts(session, ws, Contact.phone.is_(None), limit),
        contacts_unreachable=await _contacts(
            session, ws, and_(Contact.email.is_(None), Contact.phone.is_(None)), limit
        ),
    )
