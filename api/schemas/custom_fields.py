"""Custom field definitions and the lost-reason pick-list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn

FieldObject = Literal["contacts", "accounts", "deals"]
FieldType = Literal[
    "text", "number", "money", "date", "bool", "select", "multi_select", "url", "email", "phone"
]
Option = Annotated[str, Field(min_length=1, max_length=200)]


class CustomFieldIn(StrictIn):
    object: FieldObject
    key: str = Field(
        min_length=1,
        max_length=64,
        description="Where values are stored in `custom_fields`: lower-case letters, digits and _. "
        "It never changes.",
    )
    label: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: list[Option] | None = Field(
        default=None, max_length=200, description="For select and multi_select."
    )
    required: bool = False
    position: int | None = Field(
        default=None, ge=0, le=10_000, description="Defaults to after the last field."
    )


class CustomFieldPatch(StrictIn):
    """`object`, `key` and `type` never change (a rename is a new label, so values stay)."""

    label: str | None = Field(default=None, min_length=1, max_length=200)
    options: list[Option] | None = Field(default=None, max_length=200)
    required: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)


class CustomFieldOut(Out):
    id: uuid.UUID
    object: FieldObject
    key: str
    label: str
    type: FieldType
    options: list[str]
    required: bool
    position: int
    version: int
    created_at: datetime
    updated_at: datetime


class LostReasonIn(StrictIn):
    label: str = Field(min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=10_000)


class LostReasonPatch(StrictIn):
    label: str | None = Field(default=None, min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=10_000)


class LostReasonOut(Out):
    id: uuid.UUID
    label: str
    position: int
    other: bool = Field(description="The entry that takes free text in `lost_reason_detail`.")
