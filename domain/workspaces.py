"""Workspaces: creation (with its default pipeline) and settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound, PreconditionFailed, invalid
from domain.models import Membership, User, Workspace
from domain.money import check_currency
from domain.principal import ADMIN, Principal

# Hooks run when a workspace is created (default pipeline, seed automations...), registered by
# the concerns that own them so this module does not import them all.
WorkspaceSeeder = Any
_seeders: list[WorkspaceSeeder] = []


def on_workspace_created(seeder: WorkspaceSeeder) -> WorkspaceSeeder:
    _seeders.append(seeder)
    return seeder


async def create_workspace(session: AsyncSession, *, name: str, owner: User, now: datetime) -> Workspace:
    if not name:
        raise invalid("workspace_name", "A workspace needs a name")
    workspace = Workspace(id=uuid.uuid4(), name=name, created_at=now, updated_at=now)
    session.add(workspace)
    await session.flush()
    session.add(
        Membership(workspace_id=workspace.id, user_id=owner.id, role=ADMIN, created_at=now, updated_at=now)
    )
    await session.flush()
    from domain.automations.seeds import create_seed_automations
    from domain.pipelines import create_default_pipeline

    await create_default_pipeline(session, workspace_id=workspace.id, now=now)
    # After the pipeline: one seed rule follows deals into its "Proposal Sent" stage.
    await create_seed_automations(session, workspace_id=workspace.id, owner_id=owner.id, now=now)
    from domain.lost_reasons import seed_lost_reasons

    await seed_lost_reasons(session, workspace.id, now)
    for seeder in _seeders:
        await seeder(session, workspace=workspace, owner=owner, now=now)
    return workspace


async def get_workspace(session: AsyncSession, principal: Principal) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    if workspace is None:
        raise NotFound("Workspace not found")
    return workspace


async def update_workspace(
    session: AsyncSession,
    principal: Principal,
    *,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id, with_for_update=True)
    if workspace is None:
        raise NotFound("Workspace not found")
    if expected_version is not None and workspace.version != expected_version:
        raise PreconditionFailed("The workspace changed since you read it")
    if "name" in changes:
        if not changes["name"] or not str(changes["name"]).strip():
            raise invalid("name", "A workspace needs a name")
        workspace.name = str(changes["name"]).strip()
    if "currency" in changes:
        if changes["currency"] is None:
            raise invalid("currency", "currency cannot be null")
        workspace.currency = check_currency(changes["currency"])
    if "timezone" in changes:
        try:
            ZoneInfo(changes["timezone"] or "")
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise invalid("timezone", f"Unknown time zone {changes['timezone']!r}") from exc
        workspace.timezone = changes["timezone"]
    if "default_region" in changes:
        region = (changes["default_region"] or "").upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise invalid("default_region", f"Unknown region {changes['default_region']!r}")
        workspace.default_region = region
    workspace.updated_at = now
    await session.flush()
    return workspace
