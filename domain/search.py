"""Finding records: the free-text `q` pattern, list-filter values and the keyset page lists share.

Why `q` goes through SQL functions: under row-level security PostgreSQL refuses to use a
non-leakproof operator such as LIKE (`textlike`) as an index condition, because the index would
see rows before the tenant policy filters them. As `rapport_app` a `search_text LIKE '%x%'` is
therefore a sequential scan however good the trigram index is. The functions of migration 0004
(`contact_ids_matching`, `account_ids_matching`) run as the table owner, scope themselves to the
transaction's workspace exactly as the policy does, and return only ids, so the trigram indexes
serve the match and the outer query stays under RLS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.pagination import Keyset, PageResult, apply_keyset, page_of, parse_sort

# pg_trgm extracts nothing from fewer than three characters: the index would return every row,
# so a shorter `q` is cheaper as a plain filter that can stop at the first page.
TRIGRAM_MIN_LENGTH = 3


def like_pattern(q: str) -> str:
    """`q` as a case-insensitive "contains" pattern; LIKE wildcards in it match themselves.

    PostgreSQL's default LIKE escape is the backslash, and pg_trgm reads the same escapes, so
    the pattern needs no ESCAPE clause (which the SQL functions could not take anyway).
    """
    escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def uses_trigram_index(q: str) -> bool:
    return len(q.strip()) >= TRIGRAM_MIN_LENGTH


def as_utc(value: datetime) -> datetime:
    """A filter time without an offset is read as UTC, the zone everything is stored in."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def keyset_page(
    session: AsyncSession,
    query: Select[Any],
    *,
    sort: str | None,
    allowed: dict[str, InstrumentedAttribute[Any]],
    default: str,
    id_column: InstrumentedAttribute[Any],
    after: Keyset | None,
    limit: int,
    custom_sorts: Mapping[str, tuple[Any, Callable[[Any], Any]]] | None = None,
) -> PageResult[Any]:
    """One page of `query` (rows of one model) in the asked order, after the cursor's keyset.

    `custom_sorts` adds sorts on expressions (`cf.<key>`), each with the function that reads the
    sorted value from a row for the next cursor.
    """
    extra = custom_sorts or {}
    sort, descending = parse_sort(sort, {**allowed, **extra}, default)
    name = sort.lstrip("-")
    if name in extra:
        column, value_of = extra[name]
    else:
        column = allowed[name]
        value_of = lambda row: getattr(row, column.key)  # noqa: E731
    paged = apply_keyset(
        query, column=column, id_column=id_column, descending=descending, after=after, limit=limit
    )
    rows: list[Any] = list((await session.execute(paged)).scalars())
    key: Callable[[Any], tuple[Any, Any]] = lambda row: (value_of(row), row.id)  # noqa: E731
    return page_of(rows, limit=limit, sort=sort, key=key)
