"""Engine, sessions, and the tenant wall: each workspace-scoped transaction runs as `rapport_app`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, String, cast, event, func, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

APP_ROLE = "rapport_app"


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: on asyncpg it is three round trips (BEGIN, a query, ROLLBACK) per checkout,
        # more than a board move's own statements. A connection the server closed is seen at
        # checkout without a round trip (_refuse_closed); one found dead by its first statement is
        # invalidated, and a request retries that statement once (api.deps).
        pool_pre_ping=False,
        # asyncpg caches prepared statements per connection; keep it, it is the fast path.
        connect_args={"server_settings": {"application_name": "rapport"}},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool replaces a connection whose socket the server closed (a restart, a terminated
    backend) instead of handing it out: asyncpg knows that without asking the server."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("The server closed this pooled connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: responses are serialised after the commit without lazy loads.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def entering_workspace(workspace_id: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """enter_workspace's two settings as columns, for a statement that also finds the workspace
    (the request's authentication): they apply from the next statement on."""
    return (
        func.set_config("role", APP_ROLE, True),
        func.set_config("rapport.workspace_id", cast(workspace_id, String), True),
    )


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
