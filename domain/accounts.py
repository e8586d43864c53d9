"""Accounts (the companies contacts work at): create, read, change, delete, list and search."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain import custom_fields, trash
from domain.custom_fields.definitions import env_for, specs_for
from domain.custom_fields.lists import custom_filters, custom_sorts
from domain.errors import invalid
from domain.hygiene.duplicates import flag_account
from domain.hygiene.required_fields import require_fields
from domain.members import require_member
from domain.models import Account
from domain.normalise import domain_from_website, normalise_phone
from domain.pagination import Keyset, PageResult
from domain.principal import Principal
from domain.records import (
    announce_changes,
    announce_created,
    clean_tags,
    clean_text,
    delete_and_announce,
    expect_version,
    live_record,
    phone_region,
    require_live_record,
)
from domain.search import as_utc, keyset_page, like_pattern, uses_trigram_index
from domain.snapshots import snapshot

SUBJECT = "account"
DEFAULT_SORT = "-created_at"
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "name": Account.name,
    "created_at": Account.created_at,
    "updated_at": Account.updated_at,
}


async def get_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID, *, for_update: bool = False
) -> Account:
    """The account, or 404; one merged into another answers 404 naming the survivor."""
    return await live_record(session, Account, principal, account_id, noun=SUBJECT, for_update=for_update)


async def require_account(
    session: AsyncSession, workspace_id: uuid.UUID, account_id: uuid.UUID, *, field: str = "account_id"
) -> None:
    await require_live_record(session, Account, workspace_id, account_id, field=field, noun="an account")


async def account_with_domain(
    session: AsyncSession, workspace_id: uuid.UUID, domain: str
) -> uuid.UUID | None:
    """The oldest live account whose domain is `domain` (several may share one)."""
    return await session.scalar(
        select(Account.id)
        .where(
            Account.workspace_id == workspace_id,
            Account.domain == domain.lower(),
            Account.merged_into_id.is_(None),
        )
        .order_by(Account.created_at, Account.id)
        .limit(1)
    )


def _clean_domain(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    # People paste URLs into the domain field too; keep only the host.
    domain = domain_from_website(text)
    if not domain or "." not in domain:
        raise invalid("domain", f"Not a domain: {text!r}")
    return domain


async def _clean(
    session: AsyncSession,
    principal: Principal,
    fields: dict[str, Any],
    *,
    current_custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Tidy and check the given fields; the ones left out stay out."""
    out: dict[str, Any] = {}
    for key in ("name", "website", "industry"):
        if key in fields:
            out[key] = clean_text(fields[key])
    if "name" in out and out["name"] is None:
        raise invalid("name", "An account needs a name")
    if "domain" in fields:
        out["domain"] = _clean_domain(fields["domain"])
    if "phone" in fields:
        phone = clean_text(fields["phone"])
        if phone is not None:
            phone = normalise_phone(phone, await phone_region(session, principal.workspace_id))
        out["phone"] = phone
    if fields.get("owner_id") is not None:
        await require_member(session, principal.workspace_id, fields["owner_id"], field="owner_id")
    if "owner_id" in fields:
        out["owner_id"] = fields["owner_id"]
    if "tags" in fields:
        out["tags"] = clean_tags(fields["tags"])
    if "custom_fields" in fields or current_custom is None:
        # Defined fields are typed and may be required; the object merges key by key on PATCH.
        out["custom_fields"] = await custom_fields.check_write(
            session,
            principal.workspace_id,
            "accounts",
            fields.get("custom_fields") or {},
            current=current_custom,
            merge=current_custom is not None and fields.get("custom_fields") is not None,
        )
    return out


def _derived_domain(website: str | None) -> str | None:
    if website is None:
        return None
    domain = domain_from_website(website)
    return domain if "." in domain else None


async def create_account(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], now: datetime
) -> Account:
    values = await _clean(session, principal, {"name": None, **fields})
    if values.get("domain") is None:
        values["domain"] = _derived_domain(values.get("website"))
    if values.get("owner_id") is None:
        values["owner_id"] = principal.user_id
    await require_fields(session, principal.workspace_id, "accounts", values)
    account = Account(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        tags=values.pop("tags", []),
        custom_fields=values.pop("custom_fields", {}),
        **values,
    )
    session.add(account)
    await announce_created(session, principal, account, subject_type=SUBJECT, now=now)
    await flag_account(session, principal.workspace_id, account, now)
    return account


async def update_account(
    session: AsyncSession,
    *,
    principal: Principal,
    account_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Account:
    """Merge-patch: a field left out is unchanged, `null` clears it."""
    account = await get_account(session, principal, account_id, for_update=True)
    expect_version(account, expected_version, SUBJECT)
    values = await _clean(session, principal, changes, current_custom=account.custom_fields)
    if "website" in values and "domain" not in values:
        # A domain that came from the old website follows the new one; a hand-set one stays.
        derived = _derived_domain(values["website"])
        if derived and (account.domain is None or account.domain == _derived_domain(account.website)):
            values["domain"] = derived
    before = snapshot(account)
    for key, value in values.items():
        setattr(account, key, value)
    await require_fields(session, principal.workspace_id, "accounts", snapshot(account))
    changes = await announce_changes(
        session, principal, account, before=before, subject_type=SUBJECT, now=now
    )
    if changes.keys() & {"name", "domain"}:
        await flag_account(session, principal.workspace_id, account, now)
    return account


async def delete_account(
    session: AsyncSession,
    *,
    principal: Principal,
    account_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    """Contacts, deals and activities of the account stay, unlinked (the foreign keys set null)."""
    account = await get_account(session, principal, account_id, for_update=True)
    expect_version(account, expected_version, SUBJECT)
    await trash.move_to_trash(session, principal, "accounts", account.id, now)
    await delete_and_announce(session, principal, account, subject_type=SUBJECT, now=now)


def _matching(q: str) -> ColumnElement[bool]:
    """Any part of the name or domain, any case (see domain.search for why a function)."""
    pattern = like_pattern(q)
    if uses_trigram_index(q):
        return Account.id.in_(select(func.account_ids_matching(pattern)))
    return or_(func.lower(Account.name).like(pattern), func.lower(Account.domain).like(pattern))


async def list_accounts(
    session: AsyncSession,
    *,
    principal: Principal,
    owner_id: uuid.UUID | None = None,
    domain: str | None = None,
    industry: str | None = None,
    tag: str | None = None,
    updated_after: datetime | None = None,
    q: str | None = None,
    custom: Mapping[str, str] | None = None,
    sort: str | None = None,
    after: Keyset | None = None,
    limit: int,
) -> PageResult[Account]:
    query = select(Account).where(
        Account.workspace_id == principal.workspace_id, Account.merged_into_id.is_(None)
    )
    if owner_id is not None:
        query = query.where(Account.owner_id == owner_id)
    if domain:
        query = query.where(Account.domain == (domain_from_website(domain) or domain.strip().lower()))
    if industry:
        query = query.where(func.lower(Account.industry) == industry.strip().lower())
    if tag:
        query = query.where(Account.tags.contains([tag.strip()]))
    if updated_after is not None:
        query = query.where(Account.updated_at > as_utc(updated_after))
    if q and q.strip():
        query = query.where(_matching(q))
    specs = await specs_for(session, principal.workspace_id, "accounts")
    if custom:
        env = await env_for(session, principal.workspace_id)
        query = query.where(*custom_filters(Account, specs, custom, env))
    return await keyset_page(
        session,
        query,
        sort=sort,
        allowed=SORTS,
        default=DEFAULT_SORT,
        id_column=Account.id,
        after=after,
        limit=limit,
        custom_sorts=custom_sorts(Account, specs),
    )
