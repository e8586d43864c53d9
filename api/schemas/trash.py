"""The trash: deleted records waiting 30 days to be restored or purged."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Out
from api.schemas.timelines import ActorOut

TrashObject = Literal["contacts", "accounts", "deals", "activities"]


class TrashItemOut(Out):
    object: TrashObject
    id: uuid.UUID = Field(description="The deleted record's own id: restore it at /{object}/{id}/restore.")
    title: str = Field(description="The record's name, title or subject when it was deleted.")
    deleted_at: datetime
    deleted_by: ActorOut
    purge_at: datetime = Field(description="When the nightly purge forgets it for good (30 days on).")
