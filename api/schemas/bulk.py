"""Bulk actions: what a client asks for, and the operation with its per-record results."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from api.schemas.accounts import AccountPatch
from api.schemas.common import Out, StrictIn
from api.schemas.contacts import ContactPatch
from api.schemas.deals import DealPatch
from domain.bulk import MAX_RECORDS

BulkAction = Literal["update", "assign_owner", "add_tag", "remove_tag", "delete", "move_stage"]


class ContactFilter(StrictIn):
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    tag: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=320)
    updated_after: datetime | None = None
    created_after: datetime | None = None
    q: str | None = Field(None, max_length=200)


class AccountFilter(StrictIn):
    owner_id: uuid.UUID | None = None
    domain: str | None = Field(None, max_length=255)
    industry: str | None = Field(None, max_length=200)
    tag: str | None = Field(None, max_length=100)
    updated_after: datetime | None = None
    q: str | None = Field(None, max_length=200)


class DealFilter(StrictIn):
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    status: Literal["open", "won", "lost"] | None = None
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    updated_after: datetime | None = None
    q: str | None = Field(None, max_length=200)


class _BulkIn(StrictIn):
    ids: list[uuid.UUID] | None = Field(
        None, min_length=1, max_length=MAX_RECORDS, description="The records, or give `filter` instead."
    )
    action: BulkAction
    owner_id: uuid.UUID | None = Field(None, description="assign_owner: the member who will own them.")
    tag: str | None = Field(None, min_length=1, max_length=100, description="add_tag, remove_tag.")
    if_match: dict[uuid.UUID, int] | None = Field(
        None,
        description="Versions the records must still have ({id: version}); a record that moved on "
        "fails alone with status 412, the others go ahead.",
    )

    @model_validator(mode="after")
    def _ids_or_filter(self) -> _BulkIn:
        if (self.ids is None) == (getattr(self, "filter", None) is None):
            raise ValueError("Give either ids or filter")
        return self

    def params(self) -> dict[str, Any]:
        """What the action needs, as JSON (kept on the operation for the worker)."""
        skip = {"ids", "filter", "action", "if_match"}
        return {k: v for k, v in self.model_dump(mode="json", exclude_none=True).items() if k not in skip} | (
            {"changes": self.changes.model_dump(mode="json", exclude_unset=True)}  # type: ignore[attr-defined]
            if getattr(self, "changes", None) is not None
            else {}
        )


class ContactBulkIn(_BulkIn):
    filter: ContactFilter | None = Field(
        None, description="The records the list would show with these filters."
    )
    changes: ContactPatch | None = Field(None, description="update: a merge-patch applied to each.")


class AccountBulkIn(_BulkIn):
    filter: AccountFilter | None = Field(
        None, description="The records the list would show with these filters."
    )
    changes: AccountPatch | None = Field(None, description="update: a merge-patch applied to each.")


class DealBulkIn(_BulkIn):
    filter: DealFilter | None = Field(None, description="The records the list would show with these filters.")
    changes: DealPatch | None = Field(None, description="update: a merge-patch applied to each.")
    stage_id: uuid.UUID | None = Field(None, description="move_stage: the stage (top of its column).")
    pipeline_id: uuid.UUID | None = Field(
        None, description="move_stage into another pipeline: that pipeline."
    )
    lost_reason: str | None = Field(None, max_length=500, description="move_stage into a lost stage.")


class BulkResultOut(Out):
    id: uuid.UUID = Field(description="The record's id.")
    status: Literal["pending", "ok", "failed", "skipped"] = Field(
        description="skipped: nothing to change (already the owner, already tagged, already in the stage)."
    )
    error: dict[str, Any] | None = Field(
        None,
        description="For a failure: the problem a single edit would have answered "
        "(status, title, detail, errors).",
    )


class BulkOperationOut(Out):
    id: uuid.UUID
    object: Literal["contacts", "accounts", "deals"]
    action: BulkAction
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int = Field(description="Records processed so far (ok, skipped or failed).")
    succeeded: int
    skipped: int
    failed: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results: list[BulkResultOut] = Field(
        description="Per-record results in the order given, a page at a time."
    )
    next_cursor: str | None = Field(None, description="`?cursor=` for the next page of results.")
