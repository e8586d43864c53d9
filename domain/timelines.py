"""Reading a record's timeline: its activities and its system events as one stream, newest first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, false, func, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.accounts import get_account
from domain.contacts import get_contact
from domain.errors import NotFound
from domain.models import Activity, ApiKey, Deal, Project, TimelineEvent, User
from domain.pagination import Keyset, PageResult, page_of
from domain.principal import Principal

SubjectType = Literal["contact", "account", "deal", "project"]
# The one order a timeline has; the cursor carries it like any list's sort.
SORT = "-at"
_ACTIVITY_LINK = {"contact": Activity.contact_id, "account": Activity.account_id, "deal": Activity.deal_id}


@dataclass
class Actor:
    type: str
    id: uuid.UUID | None
    name: str | None


@dataclass
class TimelineEntry:
    """An activity linked to the subject (`activity` set) or a system event (`data` set)."""

    kind: Literal["activity", "event"]
    id: uuid.UUID
    at: datetime
    type: str
    actor: Actor
    subject_type: SubjectType
    subject_id: uuid.UUID
    activity: Activity | None = None
    data: dict[str, Any] | None = None


async def _require_subject(
    session: AsyncSession, principal: Principal, subject_type: SubjectType, subject_id: uuid.UUID
) -> uuid.UUID | None:
    """404 unless the subject is here; a project answers the deal it continues (if any)."""
    if subject_type == "project":
        found = (
            await session.execute(
                select(Project.id, Project.deal_id).where(
                    Project.workspace_id == principal.workspace_id, Project.id == subject_id
                )
            )
        ).one_or_none()
        if found is None:
            raise NotFound("Project not found")
        deal_id: uuid.UUID | None = found.deal_id
        return deal_id
    if subject_type == "contact":
        await get_contact(session, principal, subject_id)
    elif subject_type == "account":
        await get_account(session, principal, subject_id)
    else:
        found = await session.scalar(
            select(func.count())
            .select_from(Deal)
            .where(Deal.workspace_id == principal.workspace_id, Deal.id == subject_id)
        )
        if not found:
            raise NotFound("Deal not found")
    return None


Keys = Select[str, uuid.UUID, datetime]


def _branch(
    query: Keys,
    at: InstrumentedAttribute[datetime],
    id_: InstrumentedAttribute[uuid.UUID],
    after: Keyset | None,
    limit: int,
) -> Keys:
    """One side of the stream, cut to a page on its own so each side can stop early on its index."""
    if after is not None:
        query = query.where(tuple_(at, id_) < tuple_(after.value, after.id))
    return query.order_by(at.desc(), id_.desc()).limit(limit + 1)


async def _actor_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        union_all(
            select(User.id, User.name).where(User.id.in_(ids)),
            select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(ids)),
        )
    )
    return {row[0]: row[1] for row in rows}


async def timeline(
    session: AsyncSession,
    *,
    principal: Principal,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    after: Keyset | None,
    limit: int,
) -> PageResult[TimelineEntry]:
    """Newest first, keyset-paged on (at, id) over both kinds; 404 when the subject is not here."""
    deal_id = await _require_subject(session, principal, subject_type, subject_id)
    workspace_id = principal.workspace_id
    # A project's timeline continues its deal's: the deal's activities and events, then its own.
    link, linked_id = (
        (Activity.deal_id, deal_id)
        if subject_type == "project"
        else (_ACTIVITY_LINK[subject_type], subject_id)
    )
    own_events = (TimelineEvent.subject_type == subject_type) & (TimelineEvent.subject_id == subject_id)
    if subject_type == "project" and deal_id is not None:
        own_events = own_events | (
            (TimelineEvent.subject_type == "deal") & (TimelineEvent.subject_id == deal_id)
        )
    activities = _branch(
        select(
            literal("activity").label("kind"),
            Activity.id.label("id"),
            Activity.created_at.label("at"),
            # A project without a deal has no activities (`== None` would match every unlinked one).
        ).where(Activity.workspace_id == workspace_id, link == linked_id if linked_id else false()),
        Activity.created_at,
        Activity.id,
        after,
        limit,
    )
    events = _branch(
        select(
            literal("event").label("kind"), TimelineEvent.id.label("id"), TimelineEvent.at.label("at")
        ).where(TimelineEvent.workspace_id == workspace_id, own_events),
        TimelineEvent.at,
        TimelineEvent.id,
        after,
        limit,
    )
    stream = union_all(activities.subquery().select(), events.subquery().select()).subquery()
    keys = (
        await session.execute(
            select(stream.c.kind, stream.c.id, stream.c.at)
            .order_by(stream.c.at.desc(), stream.c.id.desc())
            .limit(limit + 1)
        )
    ).all()
    page = page_of(list(keys), limit=limit, sort=SORT, key=lambda row: (row.at, row.id))
    entries = await _entries(session, page.items, subject_type, subject_id)
    return PageResult(items=entries, next=page.next)


def _actor_id(activity: Activity) -> uuid.UUID | None:
    # Made before its creator was recorded (imports, old rows): the owner stands in.
    return activity.created_by_id or activity.owner_id


async def _entries(
    session: AsyncSession, keys: list[Any], subject_type: SubjectType, subject_id: uuid.UUID
) -> list[TimelineEntry]:
    activity_ids = [k.id for k in keys if k.kind == "activity"]
    event_ids = [k.id for k in keys if k.kind == "event"]
    activities: dict[uuid.UUID, Activity] = {}
    events: dict[uuid.UUID, TimelineEvent] = {}
    if activity_ids:
        found = await session.execute(select(Activity).where(Activity.id.in_(activity_ids)))
        activities = {a.id: a for a in found.scalars()}
    if event_ids:
        recorded = await session.execute(select(TimelineEvent).where(TimelineEvent.id.in_(event_ids)))
        events = {e.id: e for e in recorded.scalars()}
    names = await _actor_names(session, {actor for a in activities.values() if (actor := _actor_id(a))})
    entries: list[TimelineEntry] = []
    for key in keys:
        if key.kind == "activity":
            activity = activities[key.id]
            actor_id = _actor_id(activity)
            name = names.get(actor_id) if actor_id else None
            entries.append(
                TimelineEntry(
                    kind="activity",
                    id=activity.id,
                    at=activity.created_at,
                    type=activity.type,
                    actor=Actor(type=activity.created_by_type, id=actor_id, name=name),
                    subject_type=subject_type,
                    subject_id=subject_id,
                    activity=activity,
                )
            )
        else:
            event = events[key.id]
            entries.append(
                TimelineEntry(
                    kind="event",
                    id=event.id,
                    at=event.at,
                    type=event.type,
                    actor=Actor(type=event.actor_type, id=event.actor_id, name=event.actor_name),
                    subject_type=subject_type,
                    subject_id=subject_id,
                    data=event.data,
                )
            )
    return entries
