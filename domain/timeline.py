"""System events on a record's timeline (created, changed, moved, merged)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import TimelineEvent
from domain.principal import Principal


async def record(
    session: AsyncSession,
    *,
    principal: Principal,
    subject_type: str,
    subject_id: uuid.UUID,
    type: str,
    data: dict[str, Any],
    at: datetime,
) -> TimelineEvent:
    event = TimelineEvent(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        subject_type=subject_type,
        subject_id=subject_id,
        type=type,
        actor_type=principal.kind,
        actor_id=principal.actor_id,
        actor_name=principal.name,
        data=data,
        at=at,
    )
    session.add(event)
    return event


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose JSON-safe value changed."""
    ignored = {"updated_at", "version", "created_at"}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in ignored and before.get(key) != value
    }
