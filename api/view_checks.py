"""What a saved view may hold: the filters, sort and columns its list accepts.

Read from the list routes themselves (their query parameters and types) and from the record
shapes, so a filter added to a list is at once allowed in views, and a view can never store
something its list would answer 400 or 422 to.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from api.routes import accounts, activities, contacts, deals
from api.schemas.accounts import AccountOut
from api.schemas.activities import ActivityOut
from api.schemas.contacts import ContactOut
from api.schemas.deals import DealOut
from domain import accounts as account_domain
from domain import activities as activity_domain
from domain import contacts as contact_domain
from domain import deals as deal_domain
from domain.errors import invalid

LISTS: dict[str, tuple[Callable[..., Any], dict[str, Any], type[BaseModel]]] = {
    "contacts": (contacts.list_contacts, contact_domain.SORTS, ContactOut),
    "accounts": (accounts.list_accounts, account_domain.SORTS, AccountOut),
    "deals": (deals.list_deals, deal_domain.SORTS, DealOut),
    "activities": (activities.list_activities, activity_domain.SORTS, ActivityOut),
}
# The list's paging and order are not filters; `request` is how a list reads its `cf.*` filters.
NOT_FILTERS = {"ctx", "params", "sort", "limit", "cursor", "request"}
# Custom-field filters (`cf.<key>`, `cf.<key>.gte`, ...) are read from the query string as text.
CUSTOM_PREFIX = "cf."
MAX_COLUMNS = 50


@cache
def filter_types(object_: str) -> dict[str, TypeAdapter[Any]]:
    route = LISTS[object_][0]
    hints = typing.get_type_hints(route, include_extras=True)
    return {
        name: TypeAdapter(hints[name])
        for name in inspect.signature(route).parameters
        if name not in NOT_FILTERS
    }


def _filters(object_: str, raw: dict[str, Any]) -> dict[str, Any]:
    allowed = filter_types(object_)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith(CUSTOM_PREFIX) and len(key) > len(CUSTOM_PREFIX) and object_ != "activities":
            if value is not None:
                out[key] = str(value)
            continue
        adapter = allowed.get(key)
        if adapter is None:
            raise invalid(
                ["body", "filters", key],
                f"The {object_} list has no filter {key!r}; it takes {', '.join(sorted(allowed))}",
            )
        if value is None:
            continue
        try:
            out[key] = adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError as exc:
            raise invalid(["body", "filters", key], exc.errors()[0]["msg"]) from None
    return out


def _sort(object_: str, sort: str | None) -> str | None:
    if sort is None:
        return None
    sorts = LISTS[object_][1]
    if sort.lstrip("-").startswith(CUSTOM_PREFIX) and object_ != "activities":
        return sort
    if sort.lstrip("-") not in sorts:
        raise invalid(["body", "sort"], f"The {object_} list sorts by {', '.join(sorts)} (-field descends)")
    return sort


def _columns(object_: str, columns: list[str]) -> list[str]:
    fields = LISTS[object_][2].model_fields
    for index, column in enumerate(columns):
        custom = column.startswith("custom_fields.") and len(column) > len("custom_fields.")
        if column not in fields and not custom:
            raise invalid(["body", "columns", index], f"{column!r} is not a field of {object_}")
    if len(set(columns)) != len(columns):
        raise invalid(["body", "columns"], "A column is listed twice")
    return columns


def check_view(object_: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The view's filters, sort and columns (those given) as stored; 422 naming what is wrong."""
    out: dict[str, Any] = {}
    if "filters" in fields:
        out["filters"] = _filters(object_, fields["filters"] or {})
    if "sort" in fields:
        out["sort"] = _sort(object_, fields["sort"])
    if "columns" in fields:
        out["columns"] = _columns(object_, fields["columns"] or [])
    return out
