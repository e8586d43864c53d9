"""Open tracking of logged outbound emails: an unguessable pixel per email activity.

An email activity logged with `track_opens` gets a token and the pixel's URL to put in the mail;
each fetch of the pixel counts an open and the first one sets `first_opened_at`. Both are
columns of the activity, so the activity and every timeline it is on show them. Opens are
counted without a new version or an event: a mail client fetching an image is not an edit.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.errors import invalid
from domain.models import Activity

# A transparent 1x1 GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PIXEL_PATH = "/t/o/{token}.gif"


def pixel_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + PIXEL_PATH.format(token=token)


async def start_tracking(session: AsyncSession, activity: Activity, *, public_url: str) -> None:
    """Give a just-created email activity its token and pixel URL (422 for other activity types)."""
    if activity.type != "email":
        raise invalid("track_opens", "Only an email activity can track opens")
    token = secrets.token_urlsafe(24)
    url = pixel_url(public_url, token)
    await session.execute(
        update(Activity)
        .where(Activity.workspace_id == activity.workspace_id, Activity.id == activity.id)
        .values(open_token=token, tracking_pixel_url=url)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(activity, "open_token", token)
    set_committed_value(activity, "tracking_pixel_url", url)


async def record_open_across_workspaces(session: AsyncSession, token: str, now: datetime) -> bool:
    """Count an open of the email this token tracks (on the connecting role: no workspace is known)."""
    if not token or len(token) > 64:
        return False
    result = await session.execute(
        update(Activity)
        .where(Activity.open_token == token)
        .values(
            open_count=Activity.open_count + 1, first_opened_at=func.coalesce(Activity.first_opened_at, now)
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
