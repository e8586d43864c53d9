"""Account shapes: what a client sends (create, merge-patch) and what it gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.common import Out, StrictIn
from api.schemas.contacts import Tags


class AccountFields(StrictIn):
    domain: str | None = Field(
        default=None, max_length=255, description="Derived from `website` when not given; lower-case."
    )
    website: str | None = Field(default=None, max_length=500)
    industry: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the creator on create.")


class AccountIn(AccountFields):
    name: str = Field(min_length=1, max_length=300)
    tags: Tags = Field(default_factory=list, max_length=100)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class AccountPatch(AccountFields):
    """JSON merge-patch: a field left out is unchanged, `null` clears it (a name cannot be cleared)."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    tags: Tags | None = Field(default=None, max_length=100)
    custom_fields: dict[str, Any] | None = None


class AccountOut(Out):
    id: uuid.UUID
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    phone: str | None
    owner_id: uuid.UUID | None
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
