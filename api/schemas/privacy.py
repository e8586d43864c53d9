"""Shapes for erasure, the contact export and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Out


class ErasureOut(BaseModel):
    id: uuid.UUID = Field(description="The contact's id: the record stays, emptied, for the links to it.")
    erased_at: datetime
    files_deleted: int
    places_scrubbed: dict[str, int] = Field(
        description="Rows changed per table where the email or phone was found."
    )


class ContactExportOut(BaseModel):
    exported_at: datetime
    contact: dict[str, Any]
    merged_records: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    form_submissions: list[dict[str, Any]]
    email_messages: list[dict[str, Any]]
    files: list[dict[str, Any]]


class AuditEntryOut(Out):
    id: uuid.UUID
    action: str = Field(description="`<area>.<verb>`, e.g. `member.role_changed`, `contact.erased`.")
    actor_type: Literal["user", "api_key", "automation", "system"]
    actor_id: uuid.UUID | None = Field(description="The user (for an API key, the admin who created it).")
    api_key_id: uuid.UUID | None
    subject_type: str | None
    subject_id: uuid.UUID | None
    summary: str = Field(description="What happened, without personal data.")
    created_at: datetime
