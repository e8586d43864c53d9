"""Hygiene shapes: duplicate groups, merges, required fields and the data-quality picture."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn
from api.schemas.contacts import ContactOut

Rule = list[str]


class DuplicateGroupOut(Out):
    object: Literal["contacts", "accounts"]
    score: int = Field(description="0..100; 100 is certain (the same email, phone or domain).")
    reasons: list[str] = Field(
        description="same_email, same_phone, same_domain, same_name, similar_name, swapped_names, nickname, "
        "same_account, same_email_domain"
    )
    record_ids: list[uuid.UUID] = Field(description="The oldest record first, then its likely twins.")


class DismissIn(StrictIn):
    object: Literal["contacts", "accounts"]
    record_ids: list[uuid.UUID] = Field(min_length=2, max_length=50)


class MergeIn(StrictIn):
    source_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="Records merged into this one; they answer 404 afterwards."
    )
    fields: dict[str, uuid.UUID] | None = Field(
        default=None,
        description="Per field (or `custom_fields.<key>`), the record whose value wins; otherwise the "
        "survivor keeps what it has and empty fields are filled from the sources in order.",
    )


class RequiredFieldsBody(StrictIn):
    """Each rule is a list of alternatives: `[["email", "phone"]]` reads "email or phone"."""

    contacts: list[Rule] | None = Field(default=None, max_length=20)
    accounts: list[Rule] | None = Field(default=None, max_length=20)
    deals: list[Rule] | None = Field(default=None, max_length=20)


class RequiredFieldsOut(Out):
    contacts: list[Rule]
    accounts: list[Rule]
    deals: list[Rule]


class DealIssueOut(Out):
    id: uuid.UUID
    title: str
    amount: str | None
    currency: str
    stage_id: uuid.UUID
    stage: str
    owner_id: uuid.UUID | None
    expected_close_date: date | None
    since: datetime | date | None = Field(description="Idle since (rotting) or the passed close date.")


class DuplicatesSection(Out):
    count: int
    items: list[DuplicateGroupOut]


class DealsSection(Out):
    count: int
    items: list[DealIssueOut]


class ContactsSection(Out):
    count: int
    items: list[ContactOut]


class HygieneOut(Out):
    duplicates: DuplicatesSection
    rotting_deals: DealsSection = Field(description="Open deals idle past their stage's rotting_days.")
    overdue_deals: DealsSection = Field(description="Open deals whose expected close date has passed.")
    contacts_without_owner: ContactsSection
    contacts_without_email: ContactsSection
    contacts_without_phone: ContactsSection
    contacts_unreachable: ContactsSection = Field(description="Contacts with neither an email nor a phone.")
