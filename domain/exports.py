"""CSV exports of contacts, accounts and deals, streamed, in the shape imports read back.

Rows come in keyset pages from the very list functions the API's lists use, so an export honours
the same filters (`q`, `owner_id`, `account_id`, `tag`, ...) and holds one page in memory however
large the workspace. Each column is one an import maps by itself: a contact's account as
`company`, owners as `owner_email`, deals' pipeline and stage by name; tags as `a; b` (a JSON list
when a tag holds a separator) and custom fields as one JSON object, so nothing changes on the way
back in.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Literal

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import accounts, contacts, deals
from domain.custom_fields.definitions import definitions
from domain.custom_fields.values import display
from domain.db import workspace_transaction
from domain.models import Account, Contact, Pipeline, Stage, User
from domain.money import format_amount
from domain.pagination import Keyset
from domain.principal import Principal

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
ExportKind = Literal["contacts", "accounts", "deals"]
PAGE = 1000
FLUSH_BYTES = 64 * 1024
COLUMNS: dict[str, list[str]] = {
    "contacts": [
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "company",
        "owner_email",
        "source",
        "tags",
        "custom_fields",
        "id",
        "created_at",
        "updated_at",
    ],
    "accounts": [
        "name",
        "domain",
        "website",
        "industry",
        "phone",
        "owner_email",
        "tags",
        "custom_fields",
        "id",
        "created_at",
        "updated_at",
    ],
    "deals": [
        "title",
        "amount",
        "currency",
        "pipeline",
        "stage",
        "status",
        "owner_email",
        "account",
        "contact_email",
        "expected_close_date",
        "created_at",
        "closed_at",
        "lost_reason",
        "source",
        "tags",
        "custom_fields",
        "id",
        "updated_at",
    ],
}


FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading `'` (as reports' CSVs do);
    imports take it off again, so "+14155550100" goes out as "'+14155550100" and comes back."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


async def csv_chunks(rows: AsyncIterator[list[str]]) -> AsyncIterator[bytes]:
    """Rows as UTF-8 CSV, spreadsheet-safe, sent every 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    async for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _tags(tags: list[str]) -> str:
    if any(";" in tag or "," in tag or ":::" in tag for tag in tags) or (tags and tags[0].startswith("[")):
        return orjson.dumps(tags).decode()
    return "; ".join(tags)


def _custom(values: dict[str, Any], keys: list[str]) -> str:
    """Keys no field defines, as one JSON object (defined ones have columns of their own)."""
    rest = {key: value for key, value in values.items() if key not in keys}
    return orjson.dumps(rest).decode() if rest else ""


def _declared(values: dict[str, Any], keys: list[str]) -> list[str]:
    return [display(values.get(key)) for key in keys]


async def _names(
    session: AsyncSession, model: Any, column: Any, ids: Iterable[uuid.UUID | None]
) -> dict[Any, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        row[0]: row[1] for row in await session.execute(select(model.id, column).where(model.id.in_(wanted)))
    }


async def _contact_rows(session: AsyncSession, items: list[Contact], keys: list[str]) -> list[list[str]]:
    companies = await _names(session, Account, Account.name, (c.account_id for c in items))
    owners = await _names(session, User, User.email, (c.owner_id for c in items))
    return [
        [
            _text(c.first_name),
            _text(c.last_name),
            _text(c.email),
            _text(c.phone),
            _text(c.title),
            companies.get(c.account_id, ""),
            owners.get(c.owner_id, ""),
            _text(c.source),
            _tags(c.tags),
            _custom(c.custom_fields, keys),
            str(c.id),
            _text(c.created_at),
            _text(c.updated_at),
            *_declared(c.custom_fields, keys),
        ]
        for c in items
    ]


async def _account_rows(session: AsyncSession, items: list[Account], keys: list[str]) -> list[list[str]]:
    owners = await _names(session, User, User.email, (a.owner_id for a in items))
    return [
        [
            a.name,
            _text(a.domain),
            _text(a.website),
            _text(a.industry),
            _text(a.phone),
            owners.get(a.owner_id, ""),
            _tags(a.tags),
            _custom(a.custom_fields, keys),
            str(a.id),
            _text(a.created_at),
            _text(a.updated_at),
            *_declared(a.custom_fields, keys),
        ]
        for a in items
    ]


async def _deal_rows(
    session: AsyncSession, items: list[deals.DealRecord], keys: list[str]
) -> list[list[str]]:
    found = [r.deal for r in items]
    stages = await _names(session, Stage, Stage.name, (d.stage_id for d in found))
    pipelines = await _names(session, Pipeline, Pipeline.name, (d.pipeline_id for d in found))
    companies = await _names(session, Account, Account.name, (d.account_id for d in found))
    owners = await _names(session, User, User.email, (d.owner_id for d in found))
    emails = await _names(session, Contact, Contact.email, (c for r in items for c in r.contact_ids))
    return [
        [
            d.title,
            _text(format_amount(d.amount, d.currency)),
            d.currency,
            pipelines.get(d.pipeline_id, ""),
            stages.get(d.stage_id, ""),
            d.status,
            owners.get(d.owner_id, ""),
            companies.get(d.account_id, ""),
            "; ".join(e for c in r.contact_ids if (e := emails.get(c))),
            _text(d.expected_close_date),
            _text(d.created_at),
            _text(d.closed_at),
            _text(d.lost_reason),
            _text(d.source),
            _tags(d.tags),
            _custom(d.custom_fields, keys),
            str(d.id),
            _text(d.updated_at),
            *_declared(d.custom_fields, keys),
        ]
        for r in items
        for d in (r.deal,)
    ]


Page = Callable[[AsyncSession, Keyset | None], Awaitable[tuple[list[list[str]], Keyset | None]]]


def _pager(kind: ExportKind, principal: Principal, filters: dict[str, Any], keys: list[str]) -> Page:
    async def contact_page(
        session: AsyncSession, after: Keyset | None
    ) -> tuple[list[list[str]], Keyset | None]:
        page = await contacts.list_contacts(
            session, principal=principal, sort="created_at", after=after, limit=PAGE, **filters
        )
        return await _contact_rows(session, page.items, keys), page.next

    async def account_page(
        session: AsyncSession, after: Keyset | None
    ) -> tuple[list[list[str]], Keyset | None]:
        page = await accounts.list_accounts(
            session, principal=principal, sort="created_at", after=after, limit=PAGE, **filters
        )
        return await _account_rows(session, page.items, keys), page.next

    async def deal_page(session: AsyncSession, after: Keyset | None) -> tuple[list[list[str]], Keyset | None]:
        page = await deals.list_deals(
            session=session,
            principal=principal,
            filters=deals.DealFilters(**filters),
            sort="created_at",
            after=after,
            limit=PAGE,
        )
        return await _deal_rows(session, page.items, keys), page.next

    return {"contacts": contact_page, "accounts": account_page, "deals": deal_page}[kind]


async def export_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    principal: Principal,
    kind: ExportKind,
    filters: dict[str, Any],
) -> AsyncIterator[list[str]]:
    """The header, then every matching record, oldest first, read in one transaction.

    Each defined custom field has a column `custom_fields.<key>` (what imports map by itself).
    """
    async with workspace_transaction(sessionmaker, principal.workspace_id) as session:
        keys = [field.key for field in await definitions(session, principal.workspace_id, kind)]
        page = _pager(kind, principal, filters, keys)
        yield [*COLUMNS[kind], *(f"custom_fields.{key}" for key in keys)]
        after: Keyset | None = None
        while True:
            rows, after = await page(session, after)
            for row in rows:
                yield row
            session.expunge_all()  # one page in memory, not the whole export
            if after is None:
                return
