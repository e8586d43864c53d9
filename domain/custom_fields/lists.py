"""Filtering and sorting lists by custom fields: `?cf.<key>=value`, `?cf.<key>.gte=...`, `sort=cf.<key>`.

Comparisons are typed: numbers and money compare as numerics, dates as dates (stored ISO, so
text order is date order), booleans as `true`/`false`, text case-insensitively, a multi-select
"has this option". Values that predate a field's definition and do not fit its type sort and
filter as if absent (NULLs last), so an old free-form value can never break a list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, cast, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Numeric, Text

from domain.custom_fields.definitions import env_for, specs_for
from domain.custom_fields.values import (
    DATE_PATTERN,
    NUMBER_PATTERN,
    Env,
    FieldSpec,
    ValueProblem,
    normalise,
    sort_value,
)
from domain.errors import FieldError, ValidationFailed
from domain.models import Account, Contact, Deal

PREFIX = "cf."
RECORDS_BY_OBJECT: dict[str, Any] = {"contacts": Contact, "accounts": Account, "deals": Deal}
ORDERED_TYPES = ("number", "money", "date")
RANGE_OPS = ("gt", "gte", "lt", "lte")
SortKey = tuple[Any, Callable[[Any], Any]]
CF_DOC = (
    "Custom fields: filter with `cf.<key>=value` (compared by the field's type; a multi-select "
    "matches records having that option) and `cf.<key>.gt|gte|lt|lte=value` on number, money and "
    "date fields; sort with `sort=cf.<key>` (`-cf.<key>` descends; not multi-selects)."
)


def _raw(model: Any, key: str) -> Any:
    return model.custom_fields[key]


def _text(model: Any, key: str) -> ColumnElement[Any]:
    raw = _raw(model, key)
    return case(
        (func.jsonb_typeof(raw).in_(("string", "number", "boolean")), raw.astext),
        else_=cast(None, Text),
    )


def _number(model: Any, key: str) -> ColumnElement[Any]:
    text = _raw(model, key).astext
    return case((text.op("~")(NUMBER_PATTERN), cast(text, Numeric)), else_=cast(None, Numeric))


def _date(model: Any, key: str) -> ColumnElement[Any]:
    text = _raw(model, key).astext
    return case((text.op("~")(DATE_PATTERN), text), else_=cast(None, Text))


def sort_expression(model: Any, spec: FieldSpec) -> ColumnElement[Any]:
    if spec.type in ("number", "money"):
        return _number(model, spec.key)
    return _text(model, spec.key)


def custom_sorts(model: Any, specs: Mapping[str, FieldSpec]) -> dict[str, SortKey]:
    """`cf.<key>` -> (SQL expression, the same value computed from a row for the cursor)."""
    out: dict[str, SortKey] = {}
    for spec in specs.values():
        if spec.type == "multi_select":
            continue

        def value_of(row: Any, spec: FieldSpec = spec) -> Any:
            return sort_value(spec, (row.custom_fields or {}).get(spec.key))

        out[PREFIX + spec.key] = (sort_expression(model, spec), value_of)
    return out


def custom_params(query: Mapping[str, str]) -> dict[str, str]:
    """The `cf.` query parameters of a request (the API passes them through as they came)."""
    return {name: value for name, value in query.items() if name.startswith(PREFIX)}


def _bad(param: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(loc=["query", param], msg=msg)])


def custom_filters(
    model: Any, specs: Mapping[str, FieldSpec], params: Mapping[str, str], env: Env
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for param, raw in params.items():
        name = param[len(PREFIX) :]
        key, _, op = name.partition(".")
        op = op or "eq"
        spec = specs.get(key)
        if spec is None:
            raise _bad(param, f"No custom field {key!r} is defined on this list's records")
        if op not in ("eq", *RANGE_OPS):
            raise _bad(param, f"Unknown operator {op!r}; use cf.{key}=, or .gt, .gte, .lt, .lte")
        if op != "eq" and spec.type not in ORDERED_TYPES:
            raise _bad(param, f"{spec.label} is {spec.type}: only number, money and date fields take {op}")
        try:
            value = normalise(spec, raw, env)
        except ValueProblem as exc:
            raise _bad(param, f"{spec.label} {exc}") from None
        if value is None:
            raise _bad(param, f"Give a value to filter {spec.label} by")
        conditions.append(_condition(model, spec, op, value))
    return conditions


def _compare(column: Any, op: str, value: Any) -> Any:
    if op == "gt":
        return column > value
    if op == "gte":
        return column >= value
    if op == "lt":
        return column < value
    if op == "lte":
        return column <= value
    return column == value


def _condition(model: Any, spec: FieldSpec, op: str, value: Any) -> Any:
    if spec.type in ("number", "money"):
        return _compare(_number(model, spec.key), op, Decimal(value))
    if spec.type == "date":
        return _compare(_date(model, spec.key), op, value)
    if spec.type == "bool":
        return _text(model, spec.key) == ("true" if value else "false")
    if spec.type == "multi_select":
        # Containment: "has each of these options" (one option in the usual case).
        return model.custom_fields.contains({spec.key: list(value)})
    if spec.type in ("select", "email", "phone"):
        return _text(model, spec.key) == value
    return func.lower(_text(model, spec.key)) == str(value).lower()


async def check_params(
    session: AsyncSession, workspace_id: uuid.UUID, object: str, params: Mapping[str, str]
) -> None:
    """422 for a `cf.` filter that names no field or does not fit it (before a stream starts)."""
    if not params:
        return
    specs = await specs_for(session, workspace_id, object)
    custom_filters(RECORDS_BY_OBJECT[object], specs, params, await env_for(session, workspace_id))
