"""The open-tracking pixel of logged emails: public, and the same answer for any token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import PublicSession, app_state
from domain import email_tracking

router = APIRouter(tags=["tracking"])


@router.get(
    "/t/o/{token}.gif",
    operation_id="tracking-open",
    responses={200: {"content": {"image/gif": {}}, "description": "A transparent 1x1 GIF"}},
    response_class=Response,
)
async def open_pixel(token: str, session: PublicSession, request: Request) -> Response:
    """Count an open of the tracked email; an unknown token gets the same pixel (it reveals nothing)."""
    await email_tracking.record_open_across_workspaces(session, token, app_state(request).clock.now())
    await session.commit()
    return Response(
        email_tracking.PIXEL_GIF,
        media_type="image/gif",
        headers={"Cache-Control": "no-store, no-cache, must-revalidate, max-age=0", "Pragma": "no-cache"},
    )
