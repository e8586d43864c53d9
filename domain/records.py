"""What the write paths of contacts, accounts and activities share, so they cannot drift apart.

Tidying what people type, honouring `If-Match`, and announcing a change twice in the same
transaction: on the record's timeline (what a person reads) and in the outbox (what webhooks and
automations react to), with the record as the API shows it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound, PreconditionFailed, invalid
from domain.models import Account, Contact, Workspace
from domain.outbox import emit
from domain.principal import Principal
from domain.snapshots import snapshot
from domain.timeline import field_changes, record


class Versioned(Protocol):
    id: uuid.UUID
    version: int
    updated_at: datetime


# Records that a merge can retire (`merged_into_id` names the survivor).
Mergeable = TypeVar("Mergeable", Account, Contact)


async def live_record(
    session: AsyncSession,
    model: type[Mergeable],
    principal: Principal,
    record_id: uuid.UUID,
    *,
    noun: str,
    for_update: bool = False,
) -> Mergeable:
    """The record, or 404; one merged into another answers 404 naming the survivor."""
    query = select(model).where(model.workspace_id == principal.workspace_id, model.id == record_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{noun.capitalize()} not found")
    if row.merged_into_id is not None:
        raise NotFound(f"This {noun} was merged into another", merged_into=str(row.merged_into_id))
    return row


async def require_live_record(
    session: AsyncSession,
    model: type[Mergeable],
    workspace_id: uuid.UUID,
    record_id: uuid.UUID,
    *,
    field: str,
    noun: str,
) -> None:
    """An id in a request body: absent, merged away or another workspace's is a 422 naming the field."""
    found = await session.scalar(
        select(func.count())
        .select_from(model)
        .where(model.workspace_id == workspace_id, model.id == record_id, model.merged_into_id.is_(None))
    )
    if not found:
        raise invalid(field, f"{field} does not name {noun} in this workspace")


def clean_text(value: Any) -> str | None:
    """Trimmed; blank means absent, so "" and "  " never hide a missing value."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def clean_tags(values: Iterable[str] | None) -> list[str]:
    """Trimmed, blanks dropped, first spelling kept once."""
    seen: dict[str, None] = {}
    for value in values or ():
        tag = value.strip()
        if tag and tag not in seen:
            seen[tag] = None
    return list(seen)


async def phone_region(session: AsyncSession, workspace_id: uuid.UUID) -> str:
    """The region a phone number without a country code is read in."""
    region = await session.scalar(select(Workspace.default_region).where(Workspace.id == workspace_id))
    return region or "US"


def expect_version(row: Versioned, expected: int | None, noun: str) -> None:
    """`If-Match` named an older version: refuse before anything changes."""
    if expected is not None and row.version != expected:
        raise PreconditionFailed(
            f"The {noun} changed since you read it (now version {row.version})", current_version=row.version
        )


async def announce_created(
    session: AsyncSession,
    principal: Principal,
    row: Versioned,
    *,
    subject_type: str,
    now: datetime,
    timeline: bool = True,
) -> None:
    await session.flush()
    if timeline:
        await record(
            session,
            principal=principal,
            subject_type=subject_type,
            subject_id=row.id,
            type="created",
            data={},
            at=now,
        )
    await emit(
        session,
        workspace_id=principal.workspace_id,
        type=f"{subject_type}.created",
        payload=snapshot(row),
        now=now,
        subject_type=subject_type,
        subject_id=row.id,
        actor=principal,
    )


async def announce_changes(
    session: AsyncSession,
    principal: Principal,
    row: Versioned,
    *,
    before: dict[str, Any],
    subject_type: str,
    now: datetime,
    event: str = "updated",
    timeline: bool = True,
) -> dict[str, list[Any]]:
    """Bump the version and announce what changed since `before` (a snapshot); no change, no event.

    Returns the `{field: [old, new]}` changes.
    """
    changes = field_changes(before, snapshot(row))
    if not changes:
        return changes
    row.updated_at = now
    await session.flush()
    if timeline:
        await record(
            session,
            principal=principal,
            subject_type=subject_type,
            subject_id=row.id,
            type="field_changed",
            data={"changes": changes},
            at=now,
        )
    await emit(
        session,
        workspace_id=principal.workspace_id,
        type=f"{subject_type}.{event}",
        payload=snapshot(row),
        now=now,
        subject_type=subject_type,
        subject_id=row.id,
        actor=principal,
    )
    return changes


async def delete_and_announce(
    session: AsyncSession, principal: Principal, row: Versioned, *, subject_type: str, now: datetime
) -> None:
    payload = snapshot(row)
    await session.delete(row)
    await session.flush()
    await emit(
        session,
        workspace_id=principal.workspace_id,
        type=f"{subject_type}.deleted",
        payload=payload,
        now=now,
        subject_type=subject_type,
        subject_id=row.id,
        actor=principal,
    )
