"""Engine, sessions, and the tenant wall: each workspace-scoped transaction runs as `rapport_app`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

APP_ROLE = "rapport_app"


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # asyncpg caches prepared statements per connection; keep it, it is the fast path.
        connect_args={"server_settings": {"application_name": "rapport"}},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: responses are serialised after the commit without lazy loads.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def enter_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Drop to the RLS-bound role and scope the current transaction to one workspace.

    Both settings are transaction-local, so a pooled connection carries nothing to the next user.
    """
    # `set_config('role', ..., true)` is SET LOCAL ROLE: one round trip for both settings.
    await session.execute(
        text(f"SELECT set_config('role', '{APP_ROLE}', true), set_config('rapport.workspace_id', :id, true)"),
        {"id": str(workspace_id)},
    )


@asynccontextmanager
async def workspace_transaction(
    sessionmaker: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """A committed-on-success transaction inside one workspace, for workers and commands."""
    async with sessionmaker() as session, session.begin():
        await enter_workspace(session, workspace_id)
        yield session
