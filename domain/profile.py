"""The current person's own settings: their name and time zone.

A person's time zone is theirs in every workspace they belong to (the user row is global); unset,
the workspace's applies. Today's "due today" and "overdue", reminder texts and, on request,
report periods are read in it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Forbidden, NotFound, invalid
from domain.models import User, Workspace
from domain.principal import Principal

# Files of the tz database that name no place: the server's own zone, a template.
_NOT_PLACES = {"localtime", "posixrules", "Factory"}


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_PLACES)


def valid_zone(name: str, *, field: str | list[str | int] = "timezone") -> str:
    """An IANA zone name as the tz database spells it (`Europe/Paris`), else a 422."""
    if name not in _zones():
        raise invalid(field, f"Unknown time zone {name!r}: use an IANA name such as Europe/Paris")
    return name


async def effective_zone(session: AsyncSession, principal: Principal) -> ZoneInfo:
    """The person's zone, else the workspace's, else UTC."""
    row = (
        await session.execute(
            select(User.timezone, Workspace.timezone)
            .select_from(User)
            .join(Workspace, Workspace.id == principal.workspace_id)
            .where(User.id == principal.user_id)
        )
    ).one_or_none()
    for name in row or ():
        if name and name in _zones():
            return ZoneInfo(name)
    return ZoneInfo("UTC")


async def update_me(
    session: AsyncSession, principal: Principal, *, changes: dict[str, Any], now: datetime
) -> User:
    if principal.kind == "api_key":
        raise Forbidden("An API key has no personal settings; sign in as the person")
    user = await session.get(User, principal.user_id, with_for_update=True)
    if user is None:
        raise NotFound("User not found")
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise invalid("name", "A name cannot be empty")
        user.name = name
    if "timezone" in changes:
        user.timezone = None if changes["timezone"] is None else valid_zone(changes["timezone"])
    user.updated_at = now
    await session.flush()
    return user
