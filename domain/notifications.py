"""Notifications: written once per cause, read by their member, announced with NOTIFY.

`notify` is the one way to create one (reminders, automations, lead routing): an `INSERT ... ON
CONFLICT DO NOTHING` on (workspace, user, dedupe_key) makes a repeated cause a no-op, and a
`pg_notify` in the same transaction tells live streams at commit, so a stream never announces a
notification that was rolled back.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Notification
from domain.pagination import Keyset, PageResult, page_of
from domain.principal import Principal

NOTIFY_CHANNEL = "rapport_notifications"
SORT = "-created_at"


async def notify(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    type: str,
    title: str,
    body: str | None = None,
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
    now: datetime,
) -> uuid.UUID | None:
    """Create the notification unless one with this dedupe key exists; returns its id if new.

    `user_id` must be a member of the workspace (a foreign key holds it to that).
    """
    notification_id = uuid.uuid4()
    inserted: uuid.UUID | None = await session.scalar(
        insert(Notification)
        .values(
            id=notification_id,
            workspace_id=workspace_id,
            user_id=user_id,
            type=type,
            title=title[:300],
            body=body,
            subject_type=subject_type,
            subject_id=subject_id,
            dedupe_key=dedupe_key or f"id:{notification_id}",
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "user_id", "dedupe_key"])
        .returning(Notification.id)
    )
    if inserted is None:
        return None
    payload = json.dumps({"w": str(workspace_id), "u": str(user_id), "id": str(inserted)})
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": NOTIFY_CHANNEL, "payload": payload}
    )
    return inserted


def parse_announcement(payload: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID] | None:
    """(workspace_id, user_id, notification_id) from a NOTIFY payload; None if it is not ours."""
    try:
        data: dict[str, Any] = json.loads(payload)
        return uuid.UUID(data["w"]), uuid.UUID(data["u"]), uuid.UUID(data["id"])
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class NotificationPage:
    page: PageResult[Notification]
    unread_count: int


def _own(principal: Principal) -> Any:
    return (Notification.workspace_id == principal.workspace_id) & (Notification.user_id == principal.user_id)


async def unread_count(session: AsyncSession, principal: Principal) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(_own(principal), Notification.read_at.is_(None))
        )
        or 0
    )


async def list_notifications(
    session: AsyncSession, *, principal: Principal, unread: bool | None, after: Keyset | None, limit: int
) -> NotificationPage:
    """The member's notifications, newest first."""
    query = select(Notification).where(_own(principal))
    if unread is not None:
        query = query.where(Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None))
    if after is not None:
        query = query.where(tuple_(Notification.created_at, Notification.id) < tuple_(after.value, after.id))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    page = page_of(rows, limit=limit, sort=SORT, key=lambda n: (n.created_at, n.id))
    return NotificationPage(page=page, unread_count=await unread_count(session, principal))


async def mark_read(
    session: AsyncSession, *, principal: Principal, notification_id: uuid.UUID, now: datetime
) -> Notification:
    """Marking again keeps the first time it was read."""
    notification = (
        await session.execute(
            update(Notification)
            .where(_own(principal), Notification.id == notification_id)
            .values(read_at=func.coalesce(Notification.read_at, now))
            .returning(Notification)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if notification is None:
        raise NotFound("Notification not found")
    return notification


async def mark_all_read(session: AsyncSession, *, principal: Principal, now: datetime) -> int:
    result = await session.execute(
        update(Notification).where(_own(principal), Notification.read_at.is_(None)).values(read_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def find_own(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification | None:
    return (
        await session.execute(
            select(Notification).where(
                Notification.workspace_id == workspace_id,
                Notification.user_id == user_id,
                Notification.id == notification_id,
            )
        )
    ).scalar_one_or_none()


async def newer_than(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID],
    limit: int = 200,
) -> list[Notification]:
    """The member's notifications after (created_at, id), oldest first: what a resumed stream replays."""
    return list(
        (
            await session.execute(
                select(Notification)
                .where(
                    Notification.workspace_id == workspace_id,
                    Notification.user_id == user_id,
                    tuple_(Notification.created_at, Notification.id) > tuple_(*after),
                )
                .order_by(Notification.created_at, Notification.id)
                .limit(limit)
            )
        ).scalars()
    )
