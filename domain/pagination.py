"""Keyset pagination on (sort field, id), stable under concurrent inserts.

NULLs sort last in both directions. A page asks for one row more than it returns, to know
whether there is a next page without counting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from domain.errors import BadRequest

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Keyset:
    """Where the previous page ended: the sort it was under, the last value and id."""

    sort: str
    value: Any
    id: uuid.UUID


@dataclass
class PageResult(Generic[T]):
    items: list[T]
    next: Keyset | None


def parse_sort(sort: str | None, allowed: Mapping[str, Any], default: str) -> tuple[str, bool]:
    sort = sort or default
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in allowed:
        raise BadRequest(
            f"Cannot sort by {name!r}; choose one of {', '.join(sorted(allowed))} (prefix - for descending)",
        )
    return sort, descending


def apply_keyset(
    query: Select[Any],
    *,
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    id_column: ColumnElement[Any] | InstrumentedAttribute[Any],
    descending: bool,
    after: Keyset | None,
    limit: int,
) -> Select[Any]:
    if not getattr(getattr(column, "expression", column), "nullable", True):
        # On a NOT NULL column an `IS NULL` ordering term only stops PostgreSQL from reading a
        # (workspace_id, column, id) index in order; a row comparison is an index condition.
        keys = tuple_(column, id_column)
        if after is not None:
            last = tuple_(after.value, after.id)
            query = query.where(keys < last if descending else keys > last)
        if descending:
            return query.order_by(column.desc(), id_column.desc()).limit(limit + 1)
        return query.order_by(column.asc(), id_column.asc()).limit(limit + 1)
    order = [
        column.is_(None),
        column.desc() if descending else column.asc(),
        id_column.desc() if descending else id_column.asc(),
    ]
    if after is not None:
        past_id = id_column < after.id if descending else id_column > after.id
        if after.value is None:
            condition = and_(column.is_(None), past_id)
        else:
            beyond = column < after.value if descending else column > after.value
            condition = or_(column.is_(None), beyond, and_(column == after.value, past_id))
        query = query.where(condition)
    return query.order_by(*order).limit(limit + 1)


def page_of(rows: list[T], *, limit: int, sort: str, key: Any) -> PageResult[T]:
    """Cut the extra row; `key(row)` gives the (value, id) the next page starts after."""
    if len(rows) <= limit:
        return PageResult(items=rows, next=None)
    items = rows[:limit]
    value, last_id = key(items[-1])
    return PageResult(items=items, next=Keyset(sort=sort, value=value, id=last_id))


def encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": "dt", "v": value.isoformat()}
    if isinstance(value, date):
        return {"t": "date", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "dec", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {"t": "uuid", "v": str(value)}
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        kind, raw = value.get("t"), str(value.get("v"))
        if kind == "dt":
            return datetime.fromisoformat(raw)
        if kind == "date":
            return date.fromisoformat(raw)
        if kind == "dec":
            return Decimal(raw)
        if kind == "uuid":
            return uuid.UUID(raw)
        raise BadRequest("Malformed cursor")
    return value
