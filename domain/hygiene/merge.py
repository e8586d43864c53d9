"""Merging duplicates into one survivor without losing anything a source held.

Everything that points at a source is moved to the survivor: the rows of every table listed in
`CONTACT_REFERENCES` / `ACCOUNT_REFERENCES` (activities, deal links, ...), the timeline events,
and earlier merges into the source. The survivor's empty fields are filled from the sources in
the order given, unless `fields` names the record whose value wins; tags and custom fields are
unioned. Sources stay as rows with `merged_into_id` set, so their old ids answer 404 naming the
survivor. A test compares `REFERENCES` with the database's foreign keys, so a new table pointing
at contacts or accounts cannot be forgotten here: add it with `references_contacts(...)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import contact_channels as channels
from domain.errors import FieldError, NotFound, ValidationFailed, invalid
from domain.hygiene import duplicates
from domain.models import Account, Contact, TimelineEvent
from domain.outbox import emit
from domain.principal import Principal
from domain.records import expect_version
from domain.snapshots import snapshot
from domain.timeline import field_changes, record

Kind = Literal["contacts", "accounts"]


@dataclass(frozen=True)
class Reference:
    """A column of `table` holding a contact's (or account's) id, or an array of them.

    `unique_with`: the other columns of a unique key the column is part of; a source's row that
    the survivor already has (the same deal twice) is dropped rather than moved.
    """

    table: str
    column: str
    unique_with: tuple[str, ...] = ()
    array: bool = False


CONTACT_REFERENCES: list[Reference] = [
    Reference("activities", "contact_id"),
    Reference("deal_contacts", "contact_id", unique_with=("deal_id",)),
    Reference("form_submissions", "contact_id"),
    Reference("email_messages", "contact_ids", array=True),
    # After the sale (domain.commitments, domain.projects).
    Reference("commitments", "contact_id"),
    Reference("projects", "contact_ids", array=True),
]
ACCOUNT_REFERENCES: list[Reference] = [
    Reference("contacts", "account_id"),
    Reference("deals", "account_id"),
    Reference("activities", "account_id"),
    Reference("form_submissions", "account_id"),
    Reference("commitments", "account_id"),
    Reference("projects", "account_id"),
]
# Tables whose rows about a merged record are settled by the merge itself, not moved.
# A source's other emails and phones stay its own rows (mirrors of its JSON, read only for live
# contacts); the survivor gains copies through its own list.
SETTLED_BY_MERGE = {"contact_duplicates", "account_duplicates", "contact_emails", "contact_phones"}
REFERENCES: dict[Kind, list[Reference]] = {"contacts": CONTACT_REFERENCES, "accounts": ACCOUNT_REFERENCES}


def references_contacts(
    table: str, column: str, *, unique_with: tuple[str, ...] = (), array: bool = False
) -> None:
    """Declare another table pointing at contacts (commitments, projects, ...)."""
    CONTACT_REFERENCES.append(Reference(table, column, unique_with, array))


def references_accounts(
    table: str, column: str, *, unique_with: tuple[str, ...] = (), array: bool = False
) -> None:
    ACCOUNT_REFERENCES.append(Reference(table, column, unique_with, array))


@dataclass(frozen=True)
class Spec:
    model: type[Contact] | type[Account]
    subject: str
    fields: tuple[str, ...]


SPECS: dict[Kind, Spec] = {
    "contacts": Spec(
        Contact,
        "contact",
        (
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "account_id",
            "owner_id",
            "source",
            "attribution",
        ),
    ),
    "accounts": Spec(Account, "account", ("name", "domain", "website", "industry", "phone", "owner_id")),
}


async def _move(
    session: AsyncSession,
    ref: Reference,
    workspace_id: uuid.UUID,
    survivor: uuid.UUID,
    sources: list[uuid.UUID],
) -> None:
    params = {"ws": workspace_id, "survivor": survivor, "sources": sources}
    column = ref.column
    if ref.array:
        # Each source becomes the survivor, once, where the first of them stood.
        await session.execute(
            text(f"""
            UPDATE {ref.table} SET {column} = ARRAY(
                SELECT v FROM (SELECT CASE WHEN c = ANY(:sources) THEN CAST(:survivor AS uuid) ELSE c END
                                      AS v, min(n) AS n
                               FROM unnest({column}) WITH ORDINALITY u(c, n) GROUP BY 1) s ORDER BY n)
            WHERE workspace_id = :ws AND {column} && CAST(:sources AS uuid[])
        """),
            params,
        )
        return
    if ref.unique_with:
        same = " AND ".join(f"k.{c} = s.{c}" for c in ref.unique_with)
        # Drop links the survivor (or an earlier source) already has, then move the rest.
        await session.execute(
            text(f"""
            DELETE FROM {ref.table} s WHERE s.workspace_id = :ws AND s.{column} = ANY(:sources)
            AND EXISTS (SELECT 1 FROM {ref.table} k WHERE k.workspace_id = s.workspace_id AND {same}
                        AND (k.{column} = :survivor
                             OR (k.{column} = ANY(:sources) AND k.{column} < s.{column})))
        """),
            params,
        )
    await session.execute(
        text(
            f"UPDATE {ref.table} SET {column} = :survivor "
            f"WHERE workspace_id = :ws AND {column} = ANY(:sources)"
        ),
        params,
    )


async def _lock(
    session: AsyncSession,
    model: type[Any],
    principal: Principal,
    survivor_id: uuid.UUID,
    source_ids: list[uuid.UUID],
    noun: str,
) -> tuple[Any, list[Any]]:
    """Lock all of them in id order (two merges of overlapping sets cannot deadlock)."""
    rows = {
        row.id: row
        for row in (
            await session.execute(
                select(model)
                .where(model.workspace_id == principal.workspace_id, model.id.in_([survivor_id, *source_ids]))
                .order_by(model.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    }
    survivor = rows.get(survivor_id)
    if survivor is None:
        raise NotFound(f"{noun.capitalize()} not found")
    if survivor.merged_into_id is not None:
        raise NotFound(f"This {noun} was merged into another", merged_into=str(survivor.merged_into_id))
    errors = [
        FieldError(loc=["body", "source_ids", i], msg=f"Not a {noun} of this workspace, or already merged")
        for i, source_id in enumerate(source_ids)
        if (source := rows.get(source_id)) is None or source.merged_into_id is not None
    ]
    if errors:
        raise ValidationFailed(f"source_ids names {noun}s that cannot be merged", errors=errors)
    return survivor, [rows[i] for i in source_ids]


def _check_choices(spec: Spec, fields: Mapping[str, uuid.UUID], allowed: set[uuid.UUID]) -> None:
    errors = []
    for key, chosen in fields.items():
        name = key.split(".", 1)[0]
        if name not in spec.fields and name != "custom_fields":
            errors.append(
                FieldError(loc=["body", "fields", key], msg=f"{key} is not a field a merge can choose")
            )
        elif chosen not in allowed:
            errors.append(
                FieldError(loc=["body", "fields", key], msg="Name the survivor or one of source_ids")
            )
    if errors:
        raise ValidationFailed("fields names values a merge cannot choose", errors=errors)


def _combine(spec: Spec, survivor: Any, sources: Sequence[Any], fields: Mapping[str, uuid.UUID]) -> None:
    """Fill and choose the survivor's values, union its tags and custom fields."""
    by_id: dict[uuid.UUID, Any] = {survivor.id: survivor, **{s.id: s for s in sources}}
    # Every email and phone of all of them, before a chosen primary replaces the survivor's.
    pools = (
        {
            kind: [e for r in (survivor, *sources) for e in channels.entries_of(kind, r)]
            for kind in channels.KINDS
        }
        if isinstance(survivor, Contact)
        else {}
    )
    for key in spec.fields:
        if key in fields:
            setattr(survivor, key, getattr(by_id[fields[key]], key))
        elif getattr(survivor, key) is None:
            filled = next((v for s in sources if (v := getattr(s, key)) is not None), None)
            setattr(survivor, key, filled)
    tags = dict.fromkeys(survivor.tags)
    custom: dict[str, Any] = {}
    for source in reversed(sources):
        custom.update(source.custom_fields)
    custom.update(survivor.custom_fields)
    for source in sources:
        tags.update(dict.fromkeys(source.tags))
    for key, chosen in fields.items():
        if key.startswith("custom_fields."):
            name = key.split(".", 1)[1]
            if name in by_id[chosen].custom_fields:
                custom[name] = by_id[chosen].custom_fields[name]
            else:
                custom.pop(name, None)
    survivor.tags = list(tags)
    survivor.custom_fields = custom
    for kind, pool in pools.items():
        channels.settle(kind, survivor, pool)


async def merge(
    session: AsyncSession,
    *,
    principal: Principal,
    kind: Kind,
    survivor_id: uuid.UUID,
    source_ids: Sequence[uuid.UUID],
    fields: Mapping[str, uuid.UUID] | None,
    expected_version: int | None,
    now: datetime,
) -> Contact | Account:
    spec = SPECS[kind]
    ws = principal.workspace_id
    sources_wanted = list(dict.fromkeys(source_ids))
    if not sources_wanted:
        raise invalid("source_ids", "Name at least one record to merge into this one")
    if survivor_id in sources_wanted:
        raise invalid("source_ids", "A record cannot be merged into itself")
    survivor, sources = await _lock(session, spec.model, principal, survivor_id, sources_wanted, spec.subject)
    expect_version(survivor, expected_version, spec.subject)
    _check_choices(spec, fields or {}, {survivor_id, *sources_wanted})
    before = snapshot(survivor)
    # Retire the sources first: their emails and phones leave the live set before the survivor
    # takes one of them, and nothing reads them as live while the references move.
    for source in sources:
        source.merged_into_id = survivor.id
        source.updated_at = now
    await session.flush()
    _combine(spec, survivor, sources, fields or {})
    survivor.updated_at = now
    await session.flush()
    for ref in REFERENCES[kind]:
        await _move(session, ref, ws, survivor.id, sources_wanted)
    await session.execute(
        update(TimelineEvent)
        .where(
            TimelineEvent.workspace_id == ws,
            TimelineEvent.subject_type == spec.subject,
            TimelineEvent.subject_id.in_(sources_wanted),
        )
        .values(subject_id=survivor.id)
    )
    # Records merged into a source earlier now name the survivor: one hop, never a chain.
    await session.execute(
        update(spec.model)
        .where(spec.model.workspace_id == ws, spec.model.merged_into_id.in_(sources_wanted))
        .values(merged_into_id=survivor.id)
    )
    await duplicates.forget(session, ws, kind, [survivor.id, *sources_wanted])
    if isinstance(survivor, Contact):
        await duplicates.flag_contact(session, ws, survivor, now)
    else:
        await duplicates.flag_account(session, ws, survivor, now)
    merged_ids = [str(i) for i in sources_wanted]
    await record(
        session,
        principal=principal,
        subject_type=spec.subject,
        subject_id=survivor.id,
        type="merged",
        data={"merged_ids": merged_ids, "changes": field_changes(before, snapshot(survivor))},
        at=now,
    )
    await emit(
        session,
        workspace_id=ws,
        type=f"{spec.subject}.merged",
        payload=snapshot(survivor, merged_ids=merged_ids),
        now=now,
        subject_type=spec.subject,
        subject_id=survivor.id,
        actor=principal,
    )
    merged: Contact | Account = survivor
    return merged
