"""Custom fields: definitions (admin settings), the value validator, list filters and sorts.

`check_write` is what the record writes call; imports and forms use `values.clean_values` with
the specs they load once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.custom_fields.definitions import env_for, specs_for
from domain.custom_fields.values import clean_values, missing_required, required_errors
from domain.errors import ValidationFailed


async def check_write(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    object: str,
    incoming: Mapping[str, Any] | None,
    *,
    current: Mapping[str, Any] | None = None,
    merge: bool = False,
) -> dict[str, Any]:
    """The record's `custom_fields` after this write, every defined value checked and normalised.

    `current` is the stored object on an update (None on create); `merge` applies `incoming`
    key by key (null removes a key) instead of replacing the object. A required field must be
    there on create; an update may not remove one (a field made required later is not forced
    onto records until someone fills it).
    """
    specs = await specs_for(session, workspace_id, object)
    cleaned: dict[str, Any] = dict(incoming or {})
    if specs:
        cleaned, errors = clean_values(specs, cleaned, await env_for(session, workspace_id))
        if errors:
            raise ValidationFailed(
                "Custom fields do not fit their types: " + "; ".join(e.msg for e in errors), errors=errors
            )
    if merge and current is not None:
        result = merge_patch(current, cleaned)
    else:
        result = {key: value for key, value in cleaned.items() if value is not None}
    missing = missing_required(specs, result)
    if current is not None:
        had = set(key for key, value in current.items() if value not in (None, "", []))
        missing = [spec for spec in missing if spec.key in had or spec.key in (incoming or {})]
    if missing:
        raise required_errors(missing)
    return result


async def keep_fitting(
    session: AsyncSession, workspace_id: uuid.UUID, object: str, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Values that fit their fields (normalised), and why the others were left out.

    For senders who cannot be asked again (a public web form): a lead is worth more than one
    mistyped optional value, so that value is dropped and reported instead of failing the lead.
    """
    specs = await specs_for(session, workspace_id, object)
    if not specs:
        return dict(values), []
    cleaned, errors = clean_values(specs, values, await env_for(session, workspace_id))
    refused = {str(error.loc[-1]) for error in errors}
    kept = {key: value for key, value in cleaned.items() if key not in refused and value is not None}
    return kept, [f"custom_fields.{error.loc[-1]}: {error.msg}" for error in errors]


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7396 merge-patch: keys set to null are removed, nested objects merge."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged
