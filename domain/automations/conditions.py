"""Conditions compiled to SQL over the subject's table, so sweeps select only matching subjects.

One evaluator for every trigger: an event-driven firing asks the same question of one row
(`WHERE id = :id AND <conditions>`) that a sweep asks of many. A field the subject does not have
(a contact has no amount) makes the condition false.
"""

from __future__ import annotations

import operator
import typing
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, select, true

from domain.automations.schemas import Condition
from domain.models import Contact, Deal

SubjectModel = type[Deal] | type[Contact]
_TEXT = ("source", "currency", "title")
_ORDERED = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _column(model: SubjectModel, field: str) -> Any:
    return getattr(model, field, None)


def _typed(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "amount":
        return Decimal(str(value))
    if field in ("pipeline_id", "stage_id", "owner_id"):
        return uuid.UUID(str(value))
    return str(value)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tag_clause(column: Any, condition: Condition) -> ColumnElement[bool]:
    """Has any of the tags (`eq`, `contains`, `in`) or none of them (`ne`), ignoring case."""
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    lowered = [str(v).lower() for v in values if v is not None]
    tag = func.unnest(column).table_valued("tag").render_derived()
    has_any = select(literal(1)).select_from(tag).where(func.lower(tag.c.tag).in_(lowered)).exists()
    return not_(has_any) if condition.op == "ne" else has_any


def clause(model: SubjectModel, condition: Condition) -> ColumnElement[bool]:
    return typing.cast(ColumnElement[bool], _clause(model, condition))


def _clause(model: SubjectModel, condition: Condition) -> Any:
    column = _column(model, condition.field)
    if column is None:
        return false()
    if condition.field == "tags":
        return _tag_clause(column, condition)
    op = condition.op
    if op == "in":
        listed = condition.value if isinstance(condition.value, list) else []
        values = [_typed(condition.field, v) for v in listed if v is not None]
        if condition.field in _TEXT:
            return func.lower(column).in_([str(v).lower() for v in values])
        return column.in_(values)
    value = _typed(condition.field, condition.value)
    if op == "contains":
        if value is None:
            return false()
        return func.lower(column).like(f"%{_escape_like(str(value).lower())}%", escape="\\")
    if condition.field in _TEXT and value is not None:
        column, value = func.lower(column), str(value).lower()
    if op == "eq":
        return column.is_(None) if value is None else column == value
    if op == "ne":
        return column.is_not(None) if value is None else column.is_distinct_from(value)
    if value is None:
        return false()
    return _ORDERED[op](column, value)


def all_of(model: SubjectModel, conditions: Sequence[Condition]) -> ColumnElement[bool]:
    if not conditions:
        return true()
    return and_(*(clause(model, c) for c in conditions))
