"""Outbox handlers of the after-sale concern: a won deal becomes its delivery project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain import outbox
from domain.models import OutboxEvent
from domain.projects import open_project_for_won_deal


@outbox.on("deal.won")
async def _open_project(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    if event.subject_id is None:
        return
    # Opened once per deal: a second win, or this event delivered again, finds the project.
    await open_project_for_won_deal(
        session, workspace_id=event.workspace_id, deal_id=event.subject_id, now=now
    )
