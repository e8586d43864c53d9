"""Attachment shapes: a file's record (the bytes are at `/api/v1/files/{id}/content`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, computed_field

from api.schemas.common import Out


class FileOut(Out):
    id: uuid.UUID
    subject_type: Literal["contact", "account", "deal", "activity"]
    subject_id: uuid.UUID
    name: str = Field(description="The uploaded file's name, without any path.")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="Hex SHA-256 of the content.")
    content_type: str = Field(
        description="Detected from the content (magic numbers; text/plain for text), not the client."
    )
    uploaded_by: uuid.UUID | None = Field(
        description="The user who uploaded it (for an API key, its creator)."
    )
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def download_url(self) -> str:
        return f"/api/v1/files/{self.id}/content"
