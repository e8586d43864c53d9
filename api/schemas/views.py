"""Saved views: a list's filters, sort and columns under a name."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn

ViewObject = Literal["contacts", "accounts", "deals", "activities"]
Columns = list[Annotated[str, Field(min_length=1, max_length=100)]]
FILTERS_DOC = "Query parameters of the object's list (`owner_id`, `tag`, `q`, ...) and their values."
COLUMNS_DOC = "Fields of the record to show, in order; `custom_fields.<key>` for a custom field."


class ViewIn(StrictIn):
    object: ViewObject
    name: str = Field(min_length=1, max_length=200)
    filters: dict[str, Any] = Field(default_factory=dict, description=FILTERS_DOC)
    sort: str | None = Field(
        default=None, max_length=100, description="A sort the list accepts; -field descends."
    )
    columns: Columns = Field(default_factory=list, max_length=50, description=COLUMNS_DOC)
    shared: bool = Field(default=False, description="Visible to everyone in the workspace.")


class ViewPatch(StrictIn):
    """JSON merge-patch; the object of a view cannot change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    filters: dict[str, Any] | None = Field(default=None, description=FILTERS_DOC)
    sort: str | None = Field(default=None, max_length=100)
    columns: Columns | None = Field(default=None, max_length=50, description=COLUMNS_DOC)
    shared: bool | None = None


class ViewOut(Out):
    id: uuid.UUID
    object: ViewObject
    name: str
    filters: dict[str, Any]
    sort: str | None
    columns: list[str]
    shared: bool
    owner_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class ViewList(Out):
    items: list[ViewOut]
