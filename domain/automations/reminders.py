"""Reminders: an open activity's `remind_at` and `due_at` each notify its owner once, when reached.

The dedupe key is the activity and the time (`task:<id>:reminder:<UTC time>`), so moving a
task's due time reminds again at the new time, and a sweep run twice reminds once. Times more
than REMINDER_LOOKBACK in the past are not announced late: an old, imported or long-neglected
task shows on the Today view instead of as a burst of stale notifications.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, or_, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import workspace_transaction
from domain.models import Activity
from domain.notifications import notify

REMINDER_LOOKBACK = timedelta(days=7)


def due_reminders_filter(since: datetime, now: datetime) -> ColumnElement[bool]:
    """Activities with a reminder or due time in (since, now]; served by two partial indexes."""
    return and_(
        Activity.completed_at.is_(None),
        Activity.owner_id.is_not(None),
        or_(
            and_(Activity.due_at > since, Activity.due_at <= now),
            and_(Activity.remind_at > since, Activity.remind_at <= now),
        ),
    )


_DUE = text(
    """
    SELECT a.id, a.owner_id, a.type, a.subject, a.due_at, t.kind, coalesce(u.timezone, w.timezone) AS zone,
           'task:' || a.id || ':' || t.kind || ':' ||
           to_char(timezone('UTC', t.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS dedupe_key
    FROM activities a
    JOIN memberships m ON m.workspace_id = a.workspace_id AND m.user_id = a.owner_id
    JOIN users u ON u.id = a.owner_id
    JOIN workspaces w ON w.id = a.workspace_id
    CROSS JOIN LATERAL (VALUES ('due', a.due_at),
                               ('reminder', CASE WHEN a.remind_at IS DISTINCT FROM a.due_at
                                                 THEN a.remind_at END)) AS t(kind, at)
    WHERE a.workspace_id = :ws AND a.completed_at IS NULL AND t.at > :since AND t.at <= :now
      AND NOT EXISTS (
          SELECT 1 FROM notifications n
          WHERE n.workspace_id = a.workspace_id AND n.user_id = a.owner_id
            AND n.dedupe_key = 'task:' || a.id || ':' || t.kind || ':' ||
                to_char(timezone('UTC', t.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    ORDER BY t.at, a.id
    LIMIT :limit
    """
)


def _when(at: datetime | None, zone_name: str | None) -> str:
    """The time as the owner reads it: in their time zone, else the workspace's."""
    if at is None:
        return "soon"
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M ") + zone.key


async def notify_due(session: AsyncSession, workspace_id: uuid.UUID, *, now: datetime, limit: int) -> int:
    rows = (
        await session.execute(
            _DUE, {"ws": workspace_id, "since": now - REMINDER_LOOKBACK, "now": now, "limit": limit}
        )
    ).all()
    sent = 0
    for row in rows:
        if row.kind == "reminder":
            title, body = f"Reminder: {row.subject}", f"Due {_when(row.due_at, row.zone)}"
        else:
            title, body = f"Due now: {row.subject}", None
        created = await notify(
            session,
            workspace_id=workspace_id,
            user_id=row.owner_id,
            type="task_due" if row.kind == "due" else "reminder",
            title=title,
            body=body,
            subject_type="activity",
            subject_id=row.id,
            dedupe_key=row.dedupe_key,
            now=now,
        )
        sent += created is not None
    return sent


async def send_due_reminders(
    sessionmaker: async_sessionmaker[AsyncSession], *, workspace_id: uuid.UUID, now: datetime, limit: int
) -> int:
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        return await notify_due(session, workspace_id, now=now, limit=limit)
