"""A timeline entry: an activity linked to the record, or a system event about it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Out


class ActorOut(Out):
    type: Literal["user", "api_key", "automation", "system"]
    id: uuid.UUID | None
    name: str | None


class TimelineItemOut(Out):
    id: uuid.UUID
    kind: Literal["activity", "event"]
    type: str = Field(description="The activity's type, or the event's (created, field_changed, ...).")
    at: datetime
    actor: ActorOut
    subject_type: Literal["contact", "account", "deal", "project"]
    subject_id: uuid.UUID
    data: dict[str, Any] = Field(
        description="The activity as the API shows it, or the event's details "
        "(a field change: `{changes: {field: [old, new]}}`)."
    )
