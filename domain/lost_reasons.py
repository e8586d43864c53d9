"""The workspace's lost-reason pick-list, and the rule that a lost deal's reason comes from it.

A new workspace starts with DEFAULTS and "Other" (the entry that takes free text in
`lost_reason_detail`; it can be renamed but not deleted). A deal's `lost_reason` stays a string,
stored in the list's own spelling. People (the API) must pick from the list: a reason off the
list is a 422 naming the choices. Paths that bring reasons from elsewhere (imports from another
CRM, an automation's configured reason) file an unknown one under "Other" with the text as its
detail, so nothing anyone wrote is lost and the report still adds up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from domain.models import LostReason
from domain.principal import Principal

DEFAULTS = (
    "Price",
    "Budget",
    "Went with a competitor",
    "No decision",
    "Bad timing",
    "Missing feature",
    "Unresponsive",
    "Stale",
)
OTHER_LABEL = "Other"
OffList = Literal["refuse", "other"]


@dataclass(frozen=True)
class Choice:
    label: str
    other: bool


async def seed_lost_reasons(session: AsyncSession, workspace_id: uuid.UUID, now: datetime) -> None:
    for position, label in enumerate((*DEFAULTS, OTHER_LABEL)):
        session.add(
            LostReason(
                id=uuid.uuid4(),
                workspace_id=workspace_id,
                label=label,
                position=position,
                other=label == OTHER_LABEL,
                created_at=now,
            )
        )
    await session.flush()


async def list_reasons(session: AsyncSession, workspace_id: uuid.UUID) -> list[LostReason]:
    with session.no_autoflush:
        rows = await session.scalars(
            select(LostReason)
            .where(LostReason.workspace_id == workspace_id)
            .order_by(LostReason.position, LostReason.created_at, LostReason.id)
        )
        return list(rows)


async def choices(session: AsyncSession, workspace_id: uuid.UUID) -> list[Choice]:
    return [Choice(r.label, r.other) for r in await list_reasons(session, workspace_id)]


def pick(
    options: list[Choice], reason: str, detail: str | None, *, off_list: OffList = "refuse"
) -> tuple[str, str | None]:
    """The stored (lost_reason, lost_reason_detail) for what was given, or a 422."""
    wanted = reason.strip().casefold()
    other = next((c for c in options if c.other), None)
    match = next((c for c in options if c.label.casefold() == wanted), None)
    if match is None and wanted == "other" and other is not None:
        match = other
    if match is not None:
        if match.other and not detail:
            raise ValidationFailed(
                f"{match.label!r} needs the reason in lost_reason_detail",
                errors=[
                    FieldError(
                        loc=["body", "lost_reason_detail"],
                        msg=f"Say why in lost_reason_detail when the reason is {match.label!r}",
                        type="missing",
                    )
                ],
            )
        return match.label, detail
    if off_list == "other" and other is not None:
        return other.label, reason.strip() if not detail else f"{reason.strip()}: {detail}"
    names = ", ".join(c.label for c in options)
    raise invalid(
        "lost_reason",
        f"{reason.strip()!r} is not one of this workspace's lost reasons ({names}); "
        f"or give {OTHER_LABEL!r} with lost_reason_detail",
    )


async def resolve(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    reason: str,
    detail: str | None,
    *,
    off_list: OffList = "refuse",
) -> tuple[str, str | None]:
    return pick(await choices(session, workspace_id), reason, detail, off_list=off_list)


async def is_other(session: AsyncSession, workspace_id: uuid.UUID, label: str | None) -> bool:
    if label is None:
        return False
    return any(c.other and c.label == label for c in await choices(session, workspace_id))


async def _get(session: AsyncSession, principal: Principal, reason_id: uuid.UUID) -> LostReason:
    row = (
        await session.execute(
            select(LostReason)
            .where(LostReason.workspace_id == principal.workspace_id, LostReason.id == reason_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("Lost reason not found")
    return row


async def _check_label(
    session: AsyncSession, workspace_id: uuid.UUID, label: Any, own_id: uuid.UUID | None = None
) -> str:
    text = str(label or "").strip()
    if not text:
        raise invalid("label", "A lost reason needs a label")
    clash = await session.scalar(
        select(func.count())
        .select_from(LostReason)
        .where(
            LostReason.workspace_id == workspace_id,
            func.lower(LostReason.label) == text.lower(),
            *([LostReason.id != own_id] if own_id else []),
        )
    )
    if clash:
        raise Conflict(f"The list already has {text!r}")
    return text


async def _flush_unique(session: AsyncSession, label: str) -> None:
    """Two admins adding the same label at once: the unique index decides, as a 409."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"The list already has {label!r}") from None


async def create_reason(
    session: AsyncSession, principal: Principal, label: str, position: int | None, now: datetime
) -> LostReason:
    existing = await list_reasons(session, principal.workspace_id)
    text = await _check_label(session, principal.workspace_id, label)
    row = LostReason(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        label=text,
        position=position if position is not None else max((r.position for r in existing), default=-1) + 1,
        other=False,
        created_at=now,
    )
    session.add(row)
    await _flush_unique(session, text)
    return row


async def update_reason(
    session: AsyncSession, principal: Principal, reason_id: uuid.UUID, changes: dict[str, Any]
) -> LostReason:
    """Renaming an entry does not rewrite deals lost under the old name (they keep their words)."""
    row = await _get(session, principal, reason_id)
    if "label" in changes:
        row.label = await _check_label(session, principal.workspace_id, changes["label"], row.id)
    if changes.get("position") is not None:
        row.position = changes["position"]
    await _flush_unique(session, row.label)
    return row


async def delete_reason(session: AsyncSession, principal: Principal, reason_id: uuid.UUID) -> None:
    row = await _get(session, principal, reason_id)
    if row.other:
        raise Conflict(f"{row.label!r} takes every reason not on the list and cannot be deleted")
    await session.delete(row)
    await session.flush()
