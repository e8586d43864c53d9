"""Fields a workspace requires on its contacts, accounts and deals, checked on every way in.

A rule is a list of alternatives: `["email", "phone"]` reads "email or phone", `["title"]` reads
"title". A record passes when every rule has at least one field with a value. API writes call
`require_fields`; an import loads the rules once and calls `missing` per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import FieldError, ValidationFailed, invalid
from domain.models import RequiredFields

RecordKind = Literal["contacts", "accounts", "deals"]
KINDS: tuple[RecordKind, ...] = ("contacts", "accounts", "deals")
# What may be required: fields a record can lack (an account always has its name).
REQUIRABLE: dict[str, tuple[str, ...]] = {
    "contacts": ("first_name", "last_name", "email", "phone", "title", "account_id", "owner_id", "source"),
    "accounts": ("domain", "website", "industry", "phone", "owner_id"),
    "deals": ("amount", "expected_close_date", "account_id", "contact_ids", "owner_id", "source"),
}
Rules = list[list[str]]


def describe(rule: Sequence[str]) -> str:
    return " or ".join(rule)


def missing(rules: Sequence[Sequence[str]], values: Mapping[str, Any]) -> list[Sequence[str]]:
    """The rules `values` breaks; blank text and empty lists count as absent."""

    def present(field: str) -> bool:
        value = values.get(field)
        if isinstance(value, str):
            return bool(value.strip())
        return value is not None and value != [] and value != ()

    return [rule for rule in rules if not any(present(field) for field in rule)]


def failure_reason(broken: Sequence[Sequence[str]]) -> str:
    return "Required by this workspace: " + "; ".join(describe(rule) for rule in broken)


def check(rules: Sequence[Sequence[str]], values: Mapping[str, Any]) -> None:
    """422 naming every field of every broken rule."""
    broken = missing(rules, values)
    if broken:
        errors = [
            FieldError(loc=["body", field], msg=f"This workspace requires {describe(rule)}", type="missing")
            for rule in broken
            for field in rule
        ]
        raise ValidationFailed(failure_reason(broken), errors=errors)


async def rules_for(session: AsyncSession, workspace_id: uuid.UUID, kind: RecordKind) -> Rules:
    rules = await session.scalar(
        select(RequiredFields.rules).where(
            RequiredFields.workspace_id == workspace_id, RequiredFields.object == kind
        )
    )
    return [list(rule) for rule in rules or ()]


async def require_fields(
    session: AsyncSession, workspace_id: uuid.UUID, kind: RecordKind, values: Mapping[str, Any]
) -> None:
    """Raise a 422 when `values` (the record as it would be stored) lacks a required field."""
    # Reading the rules must not flush a record being changed: that would bump its version
    # once here and once more when the change is announced.
    with session.no_autoflush:
        rules = await rules_for(session, workspace_id, kind)
    if rules:
        check(rules, values)


async def all_rules(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, Rules]:
    found = {
        row.object: [list(rule) for rule in row.rules]
        for row in (
            await session.scalars(select(RequiredFields).where(RequiredFields.workspace_id == workspace_id))
        )
    }
    return {kind: found.get(kind, []) for kind in KINDS}


def _clean_rules(kind: str, rules: Sequence[Sequence[str]]) -> Rules:
    allowed = REQUIRABLE[kind]
    cleaned: Rules = []
    for index, rule in enumerate(rules):
        fields = list(dict.fromkeys(field.strip() for field in rule if field.strip()))
        if not fields:
            raise invalid(["body", kind, index], "A rule names at least one field")
        unknown = [field for field in fields if field not in allowed]
        if unknown:
            raise invalid(
                ["body", kind, index],
                f"{', '.join(unknown)} cannot be required on {kind}; choose from {', '.join(allowed)}",
            )
        if fields not in cleaned:
            cleaned.append(fields)
    return cleaned


async def set_rules(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    changes: Mapping[str, Sequence[Sequence[str]]],
    now: datetime,
) -> dict[str, Rules]:
    """Replace the rules of the kinds named in `changes`; the others stay as they are."""
    for kind, rules in changes.items():
        cleaned = _clean_rules(kind, rules)
        statement = insert(RequiredFields).values(
            workspace_id=workspace_id, object=kind, rules=cleaned, updated_at=now
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["workspace_id", "object"],
                set_={"rules": cleaned, "updated_at": now},
            )
        )
    return await all_rules(session, workspace_id)
