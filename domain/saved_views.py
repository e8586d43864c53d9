"""Saved views: a user's named filters, sort and columns of a list, optionally shared.

Who sees what: a user sees their own views and the workspace's shared ones; another person's
private view does not exist for them (404, admins included: private means private). Only the
owner changes or deletes a view, and an admin a shared one (someone else's shared view is a 403
for a member, since they can see it). Filters, sort and columns arrive already checked against
the list they belong to (the HTTP edge knows the list's parameters); here they are stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Forbidden, NotFound
from domain.models import SavedView
from domain.principal import Principal
from domain.records import expect_version

NOUN = "saved view"
EDITABLE = ("name", "filters", "sort", "columns", "shared")
# Checks `filters`, `sort` and `columns` (those present) against the list of `object`; returns
# them as stored, or raises a ValidationFailed naming the field.
Checker = Callable[[str, dict[str, Any]], dict[str, Any]]


def _visible(principal: Principal) -> Any:
    return (SavedView.workspace_id == principal.workspace_id) & or_(
        SavedView.owner_id == principal.user_id, SavedView.shared.is_(True)
    )


async def list_views(session: AsyncSession, principal: Principal, *, object_: str | None) -> list[SavedView]:
    """Own views and shared ones, by object, then name (a handful per person: no paging needed)."""
    query = select(SavedView).where(_visible(principal))
    if object_ is not None:
        query = query.where(SavedView.object == object_)
    query = query.order_by(SavedView.object, SavedView.name, SavedView.id)
    return list((await session.execute(query)).scalars())


async def get_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID, *, for_update: bool = False
) -> SavedView:
    query = select(SavedView).where(_visible(principal), SavedView.id == view_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    view = (await session.execute(query)).scalar_one_or_none()
    if view is None:
        raise NotFound("Saved view not found")
    return view


def _may_change(principal: Principal, view: SavedView) -> None:
    if view.owner_id != principal.user_id and not principal.is_admin:
        raise Forbidden("Only the view's owner or an admin may change a shared view")


async def create_view(
    session: AsyncSession, principal: Principal, *, fields: dict[str, Any], check: Checker, now: datetime
) -> SavedView:
    fields = {**fields, **check(fields["object"], fields)}
    view = SavedView(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        owner_id=principal.user_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(view)
    await session.flush()
    return view


async def update_view(
    session: AsyncSession,
    principal: Principal,
    view_id: uuid.UUID,
    *,
    changes: dict[str, Any],
    check: Checker,
    expected_version: int | None,
    now: datetime,
) -> SavedView:
    view = await get_view(session, principal, view_id, for_update=True)
    _may_change(principal, view)
    expect_version(view, expected_version, NOUN)
    changes = {**changes, **check(view.object, changes)}
    changed = False
    for key in EDITABLE:
        if key in changes and changes[key] != getattr(view, key):
            setattr(view, key, changes[key])
            changed = True
    if changed:
        view.updated_at = now
        await session.flush()
    return view


async def delete_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID, *, expected_version: int | None
) -> None:
    view = await get_view(session, principal, view_id, for_update=True)
    _may_change(principal, view)
    expect_version(view, expected_version, NOUN)
    await session.delete(view)
    await session.flush()
