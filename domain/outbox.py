"""The transactional outbox: events written with the change that caused them.

`emit` runs inside the caller's transaction. The dispatcher (cross-workspace, on the connecting
role) hands pending rows to the job queue; handlers record completion in `processed_at` under a
row lock, so a job delivered twice acts once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import enter_workspace
from domain.models import OutboxEvent
from domain.principal import Principal

NOTIFY_CHANNEL = "rapport_outbox"
# An event handed to the queue but not processed within this is handed over again.
REDISPATCH_AFTER = timedelta(minutes=2)


async def emit(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    type: str,
    payload: dict[str, Any],
    now: datetime,
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    actor: Principal | None = None,
) -> OutboxEvent:
    event = OutboxEvent(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor.actor() if actor else None,
        payload=payload,
        created_at=now,
        dispatch_count=0,
    )
    session.add(event)
    # Delivered at commit, so a listening dispatcher wakes only for committed events.
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return event


async def claim_for_dispatch_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, limit: int = 200
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Mark a batch of pending events dispatched and return (workspace_id, event_id) pairs.

    SKIP LOCKED lets several dispatchers run side by side without handing out one event twice
    in the same round.
    """
    async with sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(OutboxEvent.workspace_id, OutboxEvent.id)
                .where(
                    OutboxEvent.processed_at.is_(None),
                    or_(
                        OutboxEvent.dispatched_at.is_(None),
                        OutboxEvent.dispatched_at < now - REDISPATCH_AFTER,
                    ),
                )
                .order_by(OutboxEvent.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([r.id for r in rows]))
                .values(dispatched_at=now, dispatch_count=OutboxEvent.dispatch_count + 1)
            )
        return [(r.workspace_id, r.id) for r in rows]


async def release_dispatch_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], event_ids: Sequence[uuid.UUID]
) -> None:
    """The queue refused these (Redis away): make them due again at once."""
    if not event_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(list(event_ids))).values(dispatched_at=None)
        )


EventHandler = Callable[[AsyncSession, OutboxEvent, datetime], Awaitable[None]]
_handlers: dict[str, list[EventHandler]] = {}


def on(event_type: str) -> Callable[[EventHandler], EventHandler]:
    """Register a handler; `*` receives every event."""

    def register(handler: EventHandler) -> EventHandler:
        _handlers.setdefault(event_type, []).append(handler)
        return handler

    return register


async def process_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    workspace_id: uuid.UUID,
    event_id: uuid.UUID,
    now: datetime,
) -> bool:
    """Run an event's handlers once. Returns False when it was already processed."""
    async with sessionmaker() as session, session.begin():
        await enter_workspace(session, workspace_id)
        event = (
            await session.execute(select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update())
        ).scalar_one_or_none()
        if event is None or event.processed_at is not None:
            return False
        for handler in (*_handlers.get(event.type, ()), *_handlers.get("*", ())):
            await handler(session, event, now)
        event.processed_at = now
        event.last_error = None
        return True
