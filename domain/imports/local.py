"""Importing a file from the terminal (`rapport import`): the same import, run in this process.

The import is stored and claimed (attempt 1) in one transaction, so a worker's dispatcher leaves
it alone while this process runs it; if this process dies, the lease runs out and a worker
carries on from the last batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.db import enter_workspace
from domain.errors import NotFound
from domain.imports import runner, store
from domain.models import Import, Membership, User, Workspace
from domain.principal import ADMIN, Principal


async def principal_for_import_across_workspaces(
    session: AsyncSession, *, workspace: str, user_email: str | None
) -> Principal:
    """The workspace (by id or exact name) and who imports: the member named, else its first admin."""
    try:
        by_id = Workspace.id == uuid.UUID(workspace)
    except ValueError:
        by_id = None
    found = (
        await session.scalars(
            select(Workspace)
            .where(
                or_(by_id, Workspace.name == workspace) if by_id is not None else Workspace.name == workspace
            )
            .limit(2)
        )
    ).all()
    if len(found) != 1:
        raise NotFound(f"No single workspace is called {workspace!r}; give its id")
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == found[0].id)
    )
    if user_email:
        query = query.where(func.lower(User.email) == user_email.strip().lower())
    else:
        query = query.where(Membership.role == ADMIN).order_by(Membership.created_at)
    row = (await session.execute(query.limit(1))).first()
    if row is None:
        raise NotFound(f"{user_email or 'An admin'} is not a member of {found[0].name!r}")
    user, role = row
    return Principal(workspace_id=found[0].id, user_id=user.id, role=role, kind="user", name=user.name)


async def import_file(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    path: Path,
    workspace: str,
    user_email: str | None,
    kind: str,
    on_duplicate: str,
    dry_run: bool,
    mapping: Mapping[str, str | None] | None,
    clock: Clock,
    on_progress: runner.Progress | None = None,
) -> Import:
    with path.open("rb") as handle:

        async def read(size: int) -> bytes:
            return handle.read(size)

        async with sessionmaker() as session, session.begin():
            principal = await principal_for_import_across_workspaces(
                session, workspace=workspace, user_email=user_email
            )
            await enter_workspace(session, principal.workspace_id)
            record = await store.create_import(
                session,
                principal=principal,
                read=read,
                filename=path.name,
                kind=kind,
                on_duplicate=on_duplicate,
                dry_run=dry_run,
                mapping=mapping,
                now=clock.now(),
                claim=True,
            )
    claim = store.Claim(principal.workspace_id, record.id, record.attempt)
    await runner.run_import(sessionmaker, claim, clock=clock, on_progress=on_progress)
    async with sessionmaker() as session, session.begin():
        await enter_workspace(session, principal.workspace_id)
        return await store.get_import(session, principal, record.id)
