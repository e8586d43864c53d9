"""The admin audit log: one entry per settings change, membership change, key, export or erasure.

`record` adds the entry to the caller's session, so it commits (or not) with the change itself.
Summaries are written by code from settings names and codes, never from a contact's fields:
the log outlives an erasure and must hold no personal data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import outbox
from domain.models import AuditEntry, OutboxEvent
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal

SORT = "-created_at"
SUMMARY_MAX = 500


def record(
    session: AsyncSession,
    principal: Principal,
    action: str,
    *,
    subject_type: str | None = None,
    subject_id: uuid.UUID | str | None = None,
    summary: str,
    now: datetime,
) -> AuditEntry:
    entry = AuditEntry(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        actor_type=principal.kind,
        actor_id=principal.user_id,
        api_key_id=principal.api_key_id,
        action=action,
        subject_type=subject_type,
        subject_id=uuid.UUID(str(subject_id)) if subject_id is not None else None,
        summary=summary[:SUMMARY_MAX],
        created_at=now,
    )
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    actor_id: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    after: Keyset | None,
    limit: int,
) -> PageResult[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.workspace_id == principal.workspace_id)
    if actor_id is not None:
        query = query.where((AuditEntry.actor_id == actor_id) | (AuditEntry.api_key_id == actor_id))
    if action:
        # `member.` or `member.*` selects every member action; otherwise the exact action.
        prefix = action[:-1] if action.endswith("*") else action if action.endswith(".") else None
        if prefix is not None:
            query = query.where(AuditEntry.action.startswith(prefix, autoescape=True))
        else:
            query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    query = apply_keyset(
        query,
        column=AuditEntry.created_at,
        id_column=AuditEntry.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda e: (e.created_at, e.id))


def _actor_of(event: OutboxEvent) -> tuple[str, uuid.UUID | None, uuid.UUID | None]:
    actor: dict[str, Any] = event.actor or {}
    kind = str(actor.get("type") or "system")
    raw = actor.get("id")
    actor_id = uuid.UUID(str(raw)) if raw else None
    if kind == "api_key":
        return kind, None, actor_id
    return kind, actor_id, None


@outbox.on("custom_field.deleted")
async def custom_field_deleted(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    """Deleting a custom field drops values from every record: keep who did it, once per event."""
    exists = await session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.workspace_id == event.workspace_id,
            AuditEntry.action == "custom_field.deleted",
            AuditEntry.subject_id == event.subject_id,
            AuditEntry.created_at == event.created_at,
        )
    )
    if exists is not None:
        return
    kind, actor_id, api_key_id = _actor_of(event)
    payload = event.payload or {}
    label = payload.get("key") or payload.get("label") or "?"
    obj = payload.get("object")
    summary = f"Custom field {label!s} deleted" + (f" from {obj}" if obj else "")
    session.add(
        AuditEntry(
            id=uuid.uuid4(),
            workspace_id=event.workspace_id,
            actor_type=kind,
            actor_id=actor_id,
            api_key_id=api_key_id,
            action="custom_field.deleted",
            subject_type="custom_field",
            subject_id=event.subject_id,
            summary=summary[:SUMMARY_MAX],
            # The time of the deletion, not of the worker's run: the log reads in order of events.
            created_at=event.created_at,
        )
    )
