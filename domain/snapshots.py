"""JSON-safe pictures of records, for event payloads and timeline data."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from domain.money import format_amount

# Internal columns that are not part of a record's public shape.
_HIDDEN = {
    "workspace_id",
    "search_text",
    "merged_into_id",
    # A contact's channels show as `emails`/`phones` (its __snapshot_properties__).
    "email_label",
    "phone_label",
    "other_emails",
    "other_phones",
}
_MONEY = {"amount", "renewal_amount"}


def json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def snapshot(record: Any, **extra: Any) -> dict[str, Any]:
    """Every public column of an ORM row, as the API shows it (money as a decimal string)."""
    mapper = inspect(record).mapper
    data: dict[str, Any] = {}
    for column in mapper.columns:
        if column.key in _HIDDEN:
            continue
        value = getattr(record, column.key)
        if column.key in _MONEY and value is not None:
            value = format_amount(value, getattr(record, "currency", "USD"))
        data[column.key] = json_value(value)
    for name in getattr(record, "__snapshot_properties__", ()):
        data[name] = json_value(getattr(record, name))
    data.update({k: json_value(v) for k, v in extra.items()})
    return data
