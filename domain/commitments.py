"""Commitments: what was promised during the sale, to whom, by whom, due when, and whether it was kept.

A commitment is announced on the timelines of what it is linked to (its deal, account and
contact), so the promise is read where the relationship is read; its changes go to the outbox
like any record's. On a deal that already became a project, an open commitment is also the
project's milestone (domain.projects keeps the two in step).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.accounts import require_account
from domain.activities import require_deal
from domain.contacts import require_contact
from domain.errors import NotFound, invalid
from domain.members import require_member
from domain.models import Activity, Commitment, Deal
from domain.pagination import Keyset, PageResult
from domain.principal import Principal
from domain.records import announce_changes, announce_created, clean_text, delete_and_announce, expect_version
from domain.search import keyset_page
from domain.snapshots import snapshot
from domain.timeline import record

SUBJECT = "commitment"
STATUSES = ("open", "kept", "broken", "waived")
DEFAULT_SORT = "-created_at"
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "due_date": Commitment.due_date,
    "created_at": Commitment.created_at,
    "updated_at": Commitment.updated_at,
}
LINKS = ("deal_id", "account_id", "contact_id")
_TIMELINE_OF = {"deal_id": "deal", "account_id": "account", "contact_id": "contact"}


async def get_commitment(
    session: AsyncSession, principal: Principal, commitment_id: uuid.UUID, *, for_update: bool = False
) -> Commitment:
    query = select(Commitment).where(
        Commitment.workspace_id == principal.workspace_id, Commitment.id == commitment_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("Commitment not found")
    return found


async def require_activity(
    session: AsyncSession, workspace_id: uuid.UUID, activity_id: uuid.UUID, *, field: str
) -> None:
    found = await session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.workspace_id == workspace_id, Activity.id == activity_id)
    )
    if not found:
        raise invalid(field, f"{field} does not name an activity in this workspace")


async def _clean(session: AsyncSession, principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    """Tidy and check the given fields; the ones left out stay out."""
    out: dict[str, Any] = {}
    ws = principal.workspace_id
    if "title" in fields:
        out["title"] = clean_text(fields["title"])
        if out["title"] is None:
            raise invalid("title", "A commitment needs a title: what was promised")
    if "description" in fields:
        out["description"] = clean_text(fields["description"])
    if "status" in fields:
        if fields["status"] not in STATUSES:
            raise invalid("status", f"status must be one of {', '.join(STATUSES)}")
        out["status"] = fields["status"]
    if "due_date" in fields:
        out["due_date"] = fields["due_date"]
    checks = (("contact_id", require_contact), ("account_id", require_account), ("deal_id", require_deal))
    for key, check in checks:
        if fields.get(key) is not None:
            await check(session, ws, fields[key], field=key)
    if fields.get("evidence_activity_id") is not None:
        await require_activity(session, ws, fields["evidence_activity_id"], field="evidence_activity_id")
    if fields.get("owner_id") is not None:
        await require_member(session, ws, fields["owner_id"], field="owner_id")
    for key in (*LINKS, "evidence_activity_id", "owner_id"):
        if key in fields:
            out[key] = fields[key]
    return out


async def _announce_on_links(
    session: AsyncSession,
    principal: Principal,
    commitment: Commitment,
    *,
    type: str,
    now: datetime,
    changes: dict[str, list[Any]] | None = None,
    also: dict[str, uuid.UUID | None] | None = None,
) -> None:
    """One timeline event on each record the commitment is (or, for `also`, was) linked to."""
    data: dict[str, Any] = {"commitment": snapshot(commitment)}
    if changes is not None:
        data["changes"] = changes
    targets: dict[tuple[str, uuid.UUID], None] = {}
    for key in LINKS:
        for value in (getattr(commitment, key), (also or {}).get(key)):
            if value is not None:
                targets[(_TIMELINE_OF[key], value)] = None
    for subject_type, subject_id in targets:
        await record(
            session,
            principal=principal,
            subject_type=subject_type,
            subject_id=subject_id,
            type=type,
            data=data,
            at=now,
        )


async def create_commitment(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], now: datetime
) -> Commitment:
    values = await _clean(session, principal, {"title": None, **fields})
    if not any(values.get(key) for key in LINKS):
        raise invalid("deal_id", "A commitment is made to someone: give a deal_id, account_id or contact_id")
    if values.get("deal_id") is not None and values.get("account_id") is None:
        # Made on a deal: it is owed to the deal's account too.
        values["account_id"] = await session.scalar(
            select(Deal.account_id).where(
                Deal.workspace_id == principal.workspace_id, Deal.id == values["deal_id"]
            )
        )
    status = values.pop("status", None) or "open"
    if values.get("owner_id") is None:
        values["owner_id"] = principal.user_id
    commitment = Commitment(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        status=status,
        resolved_at=None if status == "open" else now,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(commitment)
    await announce_created(session, principal, commitment, subject_type=SUBJECT, now=now, timeline=False)
    await _announce_on_links(session, principal, commitment, type="commitment_made", now=now)
    if commitment.status == "open" and commitment.deal_id is not None:
        from domain.projects import add_commitment_milestone

        await add_commitment_milestone(session, principal, commitment, now=now)
    return commitment


async def update_commitment(
    session: AsyncSession,
    *,
    principal: Principal,
    commitment_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Commitment:
    """Merge-patch; leaving `open` records when (`resolved_at`), reopening clears it."""
    if "status" in changes:
        # Projects before the commitment, the order a milestone completed from a project takes,
        # so the two paths cannot deadlock.
        from domain.projects import lock_projects_of_commitment

        await lock_projects_of_commitment(session, principal.workspace_id, commitment_id)
    commitment = await get_commitment(session, principal, commitment_id, for_update=True)
    expect_version(commitment, expected_version, SUBJECT)
    for key in ("title", "status"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be null")
    values = await _clean(session, principal, changes)
    before = snapshot(commitment)
    was = {key: getattr(commitment, key) for key in LINKS}
    for key, value in values.items():
        setattr(commitment, key, value)
    if not any(getattr(commitment, key) for key in LINKS):
        raise invalid("deal_id", "A commitment stays linked to a deal, account or contact")
    if "status" in values and values["status"] != before["status"]:
        commitment.resolved_at = None if commitment.status == "open" else now
    diff = await announce_changes(
        session, principal, commitment, before=before, subject_type=SUBJECT, now=now, timeline=False
    )
    if diff:
        await _announce_on_links(
            session, principal, commitment, type="commitment_changed", now=now, changes=diff, also=was
        )
        if "status" in diff:
            from domain.projects import follow_commitment_status

            await follow_commitment_status(session, principal, commitment, now=now)
    return commitment


async def set_status(
    session: AsyncSession, principal: Principal, commitment_id: uuid.UUID, status: str, *, now: datetime
) -> Commitment:
    """A status change made by the system (a milestone done keeps its promise)."""
    return await update_commitment(
        session,
        principal=principal,
        commitment_id=commitment_id,
        changes={"status": status},
        expected_version=None,
        now=now,
    )


async def delete_commitment(
    session: AsyncSession,
    *,
    principal: Principal,
    commitment_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    commitment = await get_commitment(session, principal, commitment_id, for_update=True)
    expect_version(commitment, expected_version, SUBJECT)
    await _announce_on_links(session, principal, commitment, type="commitment_deleted", now=now)
    await delete_and_announce(session, principal, commitment, subject_type=SUBJECT, now=now)


async def list_commitments(
    session: AsyncSession,
    *,
    principal: Principal,
    deal_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    due_before: date | None = None,
    sort: str | None = None,
    after: Keyset | None = None,
    limit: int,
) -> PageResult[Commitment]:
    query = select(Commitment).where(Commitment.workspace_id == principal.workspace_id)
    for column, value in (
        (Commitment.deal_id, deal_id),
        (Commitment.account_id, account_id),
        (Commitment.contact_id, contact_id),
        (Commitment.owner_id, owner_id),
        (Commitment.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    if due_before is not None:
        query = query.where(Commitment.due_date < due_before)
    return await keyset_page(
        session,
        query,
        sort=sort,
        allowed=SORTS,
        default=DEFAULT_SORT,
        id_column=Commitment.id,
        after=after,
        limit=limit,
    )


async def open_commitments_of_deal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID
) -> list[Commitment]:
    return list(
        (
            await session.execute(
                select(Commitment)
                .where(
                    Commitment.workspace_id == workspace_id,
                    Commitment.deal_id == deal_id,
                    Commitment.status == "open",
                )
                .order_by(Commitment.due_date.asc().nulls_last(), Commitment.created_at, Commitment.id)
            )
        ).scalars()
    )


async def overdue_by_deal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: list[uuid.UUID], today: date
) -> dict[uuid.UUID, list[Commitment]]:
    """Open commitments past their due date, per deal: a risk on the deal they were made on."""
    found: dict[uuid.UUID, list[Commitment]] = {}
    if not deal_ids:
        return found
    rows = await session.execute(
        select(Commitment)
        .where(
            Commitment.workspace_id == workspace_id,
            Commitment.deal_id.in_(deal_ids),
            Commitment.status == "open",
            Commitment.due_date < today,
        )
        .order_by(Commitment.due_date, Commitment.id)
    )
    for commitment in rows.scalars():
        assert commitment.deal_id is not None
        found.setdefault(commitment.deal_id, []).append(commitment)
    return found


async def due_for_member(
    session: AsyncSession, principal: Principal, *, until: date, limit: int
) -> list[Commitment]:
    """The member's open commitments due by `until` (overdue ones included), soonest first."""
    return list(
        (
            await session.execute(
                select(Commitment)
                .where(
                    Commitment.workspace_id == principal.workspace_id,
                    Commitment.owner_id == principal.user_id,
                    Commitment.status == "open",
                    Commitment.due_date <= until,
                )
                .order_by(Commitment.due_date, Commitment.created_at, Commitment.id)
                .limit(limit)
            )
        ).scalars()
    )
