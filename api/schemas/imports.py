"""Import shapes: the import as its progress is reported."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Out


class ImportOut(Out):
    id: uuid.UUID
    object: Literal["contacts", "accounts", "deals"]
    status: Literal["queued", "running", "done", "failed"]
    dry_run: bool
    on_duplicate: Literal["skip", "merge", "create"]
    filename: str | None
    total: int | None = Field(description="Data rows in the file; null until the worker has counted them.")
    processed: int
    created: int
    merged: int
    skipped: int
    failed: int
    mapping: dict[str, str | None] = Field(
        description="Each column of the file and the field it fills (null: ignored)."
    )
    preview: list[dict[str, Any]] = Field(
        description="The first rows as they would be stored: `{row, outcome, record, record_id | "
        "duplicate_of, reason}`; `row` 1 is the first row under the header."
    )
    encoding: str | None
    delimiter: str | None
    error: str | None = Field(description="Why the import failed, when it did.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
