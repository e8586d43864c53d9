"""Commitment shapes: a promise made during the sale, what a client sends and gets back."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn

CommitmentStatus = Literal["open", "kept", "broken", "waived"]


class CommitmentFields(StrictIn):
    description: str | None = Field(None, max_length=20_000)
    deal_id: uuid.UUID | None = Field(None, description="The deal it was made on.")
    account_id: uuid.UUID | None = Field(
        None, description="Owed to this account; default: the deal's account."
    )
    contact_id: uuid.UUID | None = Field(None, description="Owed to this person.")
    owner_id: uuid.UUID | None = Field(None, description="Who must keep it; default: the creator.")
    due_date: date | None = None
    evidence_activity_id: uuid.UUID | None = Field(
        None, description="The activity (email, call, meeting, note) where it was promised."
    )


class CommitmentIn(CommitmentFields):
    """A promise; it names at least one of `deal_id`, `account_id`, `contact_id`."""

    title: str = Field(min_length=1, max_length=500, description="What was promised.")
    status: CommitmentStatus = "open"


class CommitmentPatch(CommitmentFields):
    """JSON merge-patch: a field left out is unchanged, `null` clears it."""

    title: str | None = Field(None, min_length=1, max_length=500)
    status: CommitmentStatus | None = None


class CommitmentOut(Out):
    id: uuid.UUID
    title: str
    description: str | None
    deal_id: uuid.UUID | None
    account_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    due_date: date | None
    status: CommitmentStatus
    evidence_activity_id: uuid.UUID | None
    resolved_at: datetime | None = Field(description="When it stopped being open (kept, broken or waived).")
    version: int
    created_at: datetime
    updated_at: datetime
