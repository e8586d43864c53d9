"""Contact shapes: what a client sends (create, merge-patch) and what it gets back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from api.schemas.common import Out, StrictIn

Tags = list[Annotated[str, Field(max_length=100)]]


class EmailEntry(StrictIn):
    email: str = Field(min_length=1, max_length=320)
    label: str | None = Field(default=None, max_length=50, description="`work`, `home`, ...: free text.")
    primary: bool = Field(default=False, description="At most one; none flagged: the first is.")


class PhoneEntry(StrictIn):
    phone: str = Field(min_length=1, max_length=50)
    label: str | None = Field(default=None, max_length=50, description="`mobile`, `office`, ...: free text.")
    primary: bool = Field(default=False, description="At most one; none flagged: the first is.")


EMAILS_DOC = (
    "Every email of the contact; the primary one is also `email`. Given, it replaces the list; "
    "`email` given beside it must be its primary."
)
PHONES_DOC = "Every phone of the contact; the primary one is also `phone`. Given, it replaces the list."


class EmailOut(Out):
    email: str
    label: str | None
    primary: bool


class PhoneOut(Out):
    phone: str
    label: str | None
    primary: bool


class ContactFields(StrictIn):
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    title: str | None = Field(default=None, max_length=300)
    account_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the creator on create.")
    source: str | None = Field(default=None, max_length=200)
    emails: list[EmailEntry] | None = Field(default=None, max_length=20, description=EMAILS_DOC)
    phones: list[PhoneEntry] | None = Field(default=None, max_length=20, description=PHONES_DOC)


class ContactIn(ContactFields):
    """At least one of first_name, last_name, email or phone is needed."""

    tags: Tags = Field(default_factory=list, max_length=100)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ContactPatch(ContactFields):
    """JSON merge-patch: a field left out is unchanged, `null` clears it."""

    tags: Tags | None = Field(default=None, max_length=100)
    custom_fields: dict[str, Any] | None = None


class ContactOut(Out):
    id: uuid.UUID
    first_name: str | None
    last_name: str | None
    email: str | None = Field(description="Normalised: validated and lower-case.")
    phone: str | None = Field(description="E.164 where it parses in the workspace's region, else as typed.")
    emails: list[EmailOut] = Field(description="Every email, the primary (`email`) first.")
    phones: list[PhoneOut] = Field(description="Every phone, the primary (`phone`) first.")
    title: str | None
    account_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    source: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    attribution: dict[str, Any] | None = Field(
        description="First and last touch of a contact made from a form; null otherwise."
    )
    erased_at: datetime | None = Field(
        default=None, description="When the person's data was erased on request (the record stays, emptied)."
    )
    version: int
    created_at: datetime
    updated_at: datetime
