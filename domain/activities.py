"""Activities: calls, emails, meetings, tasks and notes, each linked to a contact, account or deal.

An activity is itself an entry on the timelines of what it is linked to, so it records no
timeline events of its own; its changes go to the outbox for automations and webhooks.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain import trash
from domain.accounts import require_account
from domain.contacts import require_contact
from domain.errors import NotFound, invalid
from domain.members import require_member
from domain.models import Activity, Deal
from domain.pagination import Keyset, PageResult
from domain.principal import Principal
from domain.records import announce_changes, announce_created, clean_text, delete_and_announce, expect_version
from domain.search import as_utc, keyset_page
from domain.snapshots import snapshot

SUBJECT = "activity"
TYPES = ("call", "email", "meeting", "task", "note")
DEFAULT_SORT = "-created_at"
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "due_at": Activity.due_at,
    "created_at": Activity.created_at,
    "updated_at": Activity.updated_at,
}


async def get_activity(
    session: AsyncSession, principal: Principal, activity_id: uuid.UUID, *, for_update: bool = False
) -> Activity:
    query = select(Activity).where(
        Activity.workspace_id == principal.workspace_id, Activity.id == activity_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    activity = (await session.execute(query)).scalar_one_or_none()
    if activity is None:
        raise NotFound("Activity not found")
    return activity


async def require_deal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID, *, field: str = "deal_id"
) -> None:
    """A deal id in a request body: absent or another workspace's is a 422."""
    found = await session.scalar(
        select(func.count()).select_from(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
    )
    if not found:
        raise invalid(field, f"{field} does not name a deal in this workspace")


async def _clean(session: AsyncSession, principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    """Tidy and check the given fields; the ones left out stay out."""
    out: dict[str, Any] = {}
    if "type" in fields:
        if fields["type"] not in TYPES:
            raise invalid("type", f"type must be one of {', '.join(TYPES)}")
        out["type"] = fields["type"]
    if "subject" in fields:
        out["subject"] = clean_text(fields["subject"])
        if out["subject"] is None:
            raise invalid("subject", "An activity needs a subject")
    if "body" in fields:
        out["body"] = fields["body"] if fields["body"] and fields["body"].strip() else None
    for key in ("due_at", "remind_at", "completed_at"):
        if key in fields:
            out[key] = None if fields[key] is None else as_utc(fields[key])
    checks = (("contact_id", require_contact), ("account_id", require_account), ("deal_id", require_deal))
    for key, check in checks:
        if fields.get(key) is not None:
            await check(session, principal.workspace_id, fields[key], field=key)
    if fields.get("owner_id") is not None:
        await require_member(session, principal.workspace_id, fields["owner_id"], field="owner_id")
    for key in ("contact_id", "account_id", "deal_id", "owner_id"):
        if key in fields:
            out[key] = fields[key]
    return out


async def create_activity(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], now: datetime
) -> Activity:
    values = await _clean(session, principal, {"type": None, "subject": None, **fields})
    if values.get("owner_id") is None:
        values["owner_id"] = principal.user_id
    activity = Activity(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        # Who made it decides whether it ends an idle spell: a person's does, an automation's not.
        created_by_type=principal.kind,
        created_by_id=principal.actor_id,
        **values,
    )
    session.add(activity)
    await announce_created(session, principal, activity, subject_type=SUBJECT, now=now, timeline=False)
    return activity


async def update_activity(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Activity:
    """Merge-patch: a field left out is unchanged, `null` clears it (`completed_at: null` reopens)."""
    activity = await get_activity(session, principal, activity_id, for_update=True)
    expect_version(activity, expected_version, SUBJECT)
    values = await _clean(session, principal, changes)
    before = snapshot(activity)
    for key, value in values.items():
        setattr(activity, key, value)
    await announce_changes(
        session, principal, activity, before=before, subject_type=SUBJECT, now=now, timeline=False
    )
    return activity


async def complete_activity(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> Activity:
    """Mark done now; completing again keeps the first time (a retried click changes nothing)."""
    activity = await get_activity(session, principal, activity_id, for_update=True)
    expect_version(activity, expected_version, SUBJECT)
    if activity.completed_at is None:
        before = snapshot(activity)
        activity.completed_at = now
        await announce_changes(
            session,
            principal,
            activity,
            before=before,
            subject_type=SUBJECT,
            now=now,
            event="completed",
            timeline=False,
        )
    return activity


async def delete_activity(
    session: AsyncSession,
    *,
    principal: Principal,
    activity_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    activity = await get_activity(session, principal, activity_id, for_update=True)
    expect_version(activity, expected_version, SUBJECT)
    await trash.move_to_trash(session, principal, "activities", activity.id, now)
    await delete_and_announce(session, principal, activity, subject_type=SUBJECT, now=now)


async def list_activities(
    session: AsyncSession,
    *,
    principal: Principal,
    type: str | None = None,
    owner_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    deal_id: uuid.UUID | None = None,
    completed: bool | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    updated_after: datetime | None = None,
    sort: str | None = None,
    after: Keyset | None = None,
    limit: int,
) -> PageResult[Activity]:
    query = select(Activity).where(Activity.workspace_id == principal.workspace_id)
    for column, value in (
        (Activity.type, type),
        (Activity.owner_id, owner_id),
        (Activity.contact_id, contact_id),
        (Activity.account_id, account_id),
        (Activity.deal_id, deal_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if completed is not None:
        done = Activity.completed_at.is_not(None)
        query = query.where(done if completed else ~done)
    if due_before is not None:
        query = query.where(Activity.due_at < as_utc(due_before))
    if due_after is not None:
        query = query.where(Activity.due_at > as_utc(due_after))
    if updated_after is not None:
        query = query.where(Activity.updated_at > as_utc(updated_after))
    return await keyset_page(
        session,
        query,
        sort=sort,
        allowed=SORTS,
        default=DEFAULT_SORT,
        id_column=Activity.id,
        after=after,
        limit=limit,
    )
