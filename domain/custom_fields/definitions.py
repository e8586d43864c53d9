"""Custom field definitions: admins define them per object; everyone's writes are checked by them.

The `key` is what values are stored under and never changes (nor do `object` and `type`), so a
renamed label or reordered field keeps every value. Deleting a field removes its values from
the records, which is why it needs `confirm`, and leaves a `custom_field.deleted` outbox event
(the audit trail's source) naming who did it and how many values went.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from domain.custom_fields.values import Env, FieldSpec
from domain.errors import Conflict, NotFound, invalid
from domain.models import Account, Contact, CustomField, Deal, Workspace
from domain.models.custom_fields import FIELD_OBJECTS, FIELD_TYPES
from domain.outbox import emit
from domain.principal import Principal
from domain.records import expect_version
from domain.snapshots import snapshot

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_OPTIONS = 200
MAX_FIELDS_PER_OBJECT = 200
WITH_OPTIONS = ("select", "multi_select")
RECORDS: dict[str, Any] = {"contacts": Contact, "accounts": Account, "deals": Deal}


def spec_of(field: CustomField) -> FieldSpec:
    return FieldSpec(
        key=field.key,
        label=field.label,
        type=field.type,
        options=tuple(field.options or ()),
        required=field.required,
    )


async def definitions(
    session: AsyncSession, workspace_id: uuid.UUID, object: str | None = None
) -> list[CustomField]:
    query = select(CustomField).where(CustomField.workspace_id == workspace_id)
    if object is not None:
        query = query.where(CustomField.object == object)
    # Reading definitions must not flush a record being changed (it would bump its version twice).
    with session.no_autoflush:
        rows = await session.scalars(
            query.order_by(CustomField.object, CustomField.position, CustomField.created_at, CustomField.id)
        )
        return list(rows)


async def specs_for(session: AsyncSession, workspace_id: uuid.UUID, object: str) -> dict[str, FieldSpec]:
    return {field.key: spec_of(field) for field in await definitions(session, workspace_id, object)}


async def env_for(session: AsyncSession, workspace_id: uuid.UUID) -> Env:
    with session.no_autoflush:
        row = (
            await session.execute(
                select(Workspace.default_region, Workspace.currency).where(Workspace.id == workspace_id)
            )
        ).one_or_none()
    if row is None:
        return Env()
    return Env(region=row.default_region or "US", currency=row.currency or "USD")


async def get_field(
    session: AsyncSession, principal: Principal, field_id: uuid.UUID, *, for_update: bool = False
) -> CustomField:
    query = select(CustomField).where(
        CustomField.workspace_id == principal.workspace_id, CustomField.id == field_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    field = (await session.execute(query)).scalar_one_or_none()
    if field is None:
        raise NotFound("Custom field not found")
    return field


def _label(value: Any) -> str:
    label = str(value or "").strip()
    if not label:
        raise invalid("label", "A custom field needs a label")
    if len(label) > 200:
        raise invalid("label", "label is longer than 200 characters")
    return label


def _clean_options(type_: str, options: Sequence[str] | None) -> list[str]:
    if type_ not in WITH_OPTIONS:
        if options:
            raise invalid("options", f"Only select and multi_select fields take options, not {type_}")
        return []
    cleaned: list[str] = []
    seen: set[str] = set()
    for index, option in enumerate(options or ()):
        text_ = option.strip()
        if not text_ or len(text_) > 200:
            raise invalid(["body", "options", index], "An option is 1 to 200 characters")
        if ";" in text_:
            raise invalid(
                ["body", "options", index], "An option cannot hold ';' (it separates options in CSV)"
            )
        if text_.casefold() in seen:
            raise invalid(["body", "options", index], f"{text_!r} is listed twice")
        seen.add(text_.casefold())
        cleaned.append(text_)
    if not cleaned:
        raise invalid("options", f"A {type_} field needs at least one option")
    if len(cleaned) > MAX_OPTIONS:
        raise invalid("options", f"At most {MAX_OPTIONS} options")
    return cleaned


async def create_field(
    session: AsyncSession, principal: Principal, fields: dict[str, Any], now: datetime
) -> CustomField:
    object_, type_ = fields["object"], fields["type"]
    if object_ not in FIELD_OBJECTS:
        raise invalid("object", f"object is one of {', '.join(FIELD_OBJECTS)}")
    if type_ not in FIELD_TYPES:
        raise invalid("type", f"type is one of {', '.join(FIELD_TYPES)}")
    key = str(fields["key"]).strip()
    if not KEY_RE.match(key):
        raise invalid(
            "key", "key is 1 to 64 lower-case letters, digits or _, starting with a letter (it never changes)"
        )
    # Two admins adding the same key at once: the second waits here, then sees the first's.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"custom-field:{principal.workspace_id}:{object_}:{key}"},
    )
    existing = await definitions(session, principal.workspace_id, object_)
    if any(field.key == key for field in existing):
        raise Conflict(f"{object_} already have a custom field {key!r}")
    if len(existing) >= MAX_FIELDS_PER_OBJECT:
        raise Conflict(f"At most {MAX_FIELDS_PER_OBJECT} custom fields per object")
    position = fields.get("position")
    field = CustomField(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        object=object_,
        key=key,
        label=_label(fields.get("label")),
        type=type_,
        options=_clean_options(type_, fields.get("options")),
        required=bool(fields.get("required")),
        position=position if position is not None else (max((f.position for f in existing), default=-1) + 1),
        created_at=now,
        updated_at=now,
    )
    session.add(field)
    await session.flush()
    return field


async def update_field(
    session: AsyncSession,
    principal: Principal,
    field_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> CustomField:
    """Label, options, required and position change; key, object and type never do."""
    field = await get_field(session, principal, field_id, for_update=True)
    expect_version(field, expected_version, "custom field")
    new: dict[str, Any] = {}
    if "label" in changes:
        new["label"] = _label(changes["label"])
    if "options" in changes:
        new["options"] = _clean_options(field.type, changes["options"])
    if "required" in changes:
        new["required"] = bool(changes["required"])
    if "position" in changes:
        if changes["position"] is None:
            raise invalid("position", "position cannot be null")
        new["position"] = changes["position"]
    changed = {key: value for key, value in new.items() if getattr(field, key) != value}
    if changed:
        for key, value in changed.items():
            setattr(field, key, value)
        field.updated_at = now
        await session.flush()
    return field


async def delete_field(
    session: AsyncSession,
    principal: Principal,
    field_id: uuid.UUID,
    *,
    confirm: bool,
    expected_version: int | None,
    now: datetime,
) -> int:
    """Remove the field and its values from every record; returns how many records held one."""
    field = await get_field(session, principal, field_id, for_update=True)
    expect_version(field, expected_version, "custom field")
    model = RECORDS[field.object]
    holding = model.custom_fields.has_key(field.key)
    if not confirm:
        count = await session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.workspace_id == principal.workspace_id, holding)
        )
        raise Conflict(
            f"Deleting {field.label!r} removes its value from {count} {field.object}; "
            "repeat the request with ?confirm=true to go ahead",
            records_with_values=count,
        )
    # Values go without a version bump per record: nobody's pending edit should fail with a 412
    # because an admin tidied the settings, and the event below records the removal once.
    result = await session.execute(
        update(model)
        .where(model.workspace_id == principal.workspace_id, holding)
        .values(custom_fields=model.custom_fields.op("-", return_type=JSONB)(field.key))
        .execution_options(synchronize_session=False)
    )
    removed = int(getattr(result, "rowcount", 0) or 0)
    payload = {**snapshot(field), "values_removed": removed}
    await session.delete(field)
    await session.flush()
    await emit(
        session,
        workspace_id=principal.workspace_id,
        type="custom_field.deleted",
        payload=payload,
        now=now,
        subject_type="custom_field",
        subject_id=field.id,
        actor=principal,
    )
    return removed
