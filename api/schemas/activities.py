"""Activity shapes: what a client sends (create, merge-patch) and what it gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from api.schemas.common import Out, StrictIn

ActivityType = Literal["call", "email", "meeting", "task", "note"]


class ActivityFields(StrictIn):
    body: str | None = Field(default=None, max_length=100_000)
    due_at: AwareDatetime | None = None
    remind_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the creator on create.")
    contact_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None


class ActivityIn(ActivityFields):
    type: ActivityType
    subject: str = Field(min_length=1, max_length=500)
    track_opens: bool = Field(
        False, description="An email only: issue an open-tracking pixel (tracking_pixel_url) to put in it."
    )


class ActivityPatch(ActivityFields):
    """JSON merge-patch: a field left out is unchanged, `null` clears it (`completed_at: null` reopens)."""

    type: ActivityType | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=500)


class ActivityOut(Out):
    id: uuid.UUID
    type: ActivityType
    subject: str
    body: str | None
    due_at: datetime | None
    remind_at: datetime | None
    completed_at: datetime | None
    owner_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    account_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    created_by_type: Literal["user", "api_key", "automation", "system"]
    tracking_pixel_url: str | None = Field(None, description="The open-tracking pixel of a logged email.")
    first_opened_at: datetime | None = Field(None, description="When the tracked email was first opened.")
    open_count: int = Field(0, description="How often the tracked email's pixel was fetched.")
    version: int
    created_at: datetime
    updated_at: datetime
