"""Sample records for the demo workspace, built with the same domain functions users call."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


async def populate_demo_workspace(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """Filled in by the core-records concern once accounts, contacts and deals exist."""
    return None
