"""Contacts: create (with duplicate detection), read, change, delete, list and search."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain import contact_channels as channels
from domain import custom_fields, trash
from domain.accounts import account_with_domain, require_account
from domain.custom_fields.definitions import env_for, specs_for
from domain.custom_fields.lists import custom_filters, custom_sorts
from domain.errors import Conflict, invalid
from domain.hygiene.duplicates import flag_contact
from domain.hygiene.normalise import FREE_MAIL_DOMAINS
from domain.hygiene.required_fields import require_fields
from domain.members import require_member
from domain.models import Account, Contact, ContactEmail, ContactPhone
from domain.normalise import email_domain, normalise_email, normalise_phone, try_normalise_email
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

SUBJECT = "contact"
DEFAULT_SORT = "-created_at"
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "created_at": Contact.created_at,
    "updated_at": Contact.updated_at,
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
    "email": Contact.email,
}
OnDuplicate = Literal["error", "allow", "merge"]
IDENTITY = ("first_name", "last_name", "email", "phone")
# What a contact's emails and phones are stored as (domain.contact_channels).
CHANNEL_FIELDS = ("email", "email_label", "other_emails", "phone", "phone_label", "other_phones")
# Filled from a duplicate's new data on `merge` when the existing contact has none.
MERGEABLE = ("first_name", "last_name", "email", "phone", "title", "account_id", "owner_id", "source")


async def get_contact(
    session: AsyncSession, principal: Principal, contact_id: uuid.UUID, *, for_update: bool = False
) -> Contact:
    """The contact, or 404; one merged into another answers 404 naming the survivor."""
    return await live_record(session, Contact, principal, contact_id, noun=SUBJECT, for_update=for_update)


async def require_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, *, field: str = "contact_id"
) -> None:
    await require_live_record(session, Contact, workspace_id, contact_id, field=field, noun="a contact")


async def _clean(
    session: AsyncSession,
    principal: Principal,
    fields: dict[str, Any],
    *,
    current_custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Tidy, normalise and check the given fields; the ones left out stay out."""
    out: dict[str, Any] = {}
    for key in ("first_name", "last_name", "title", "source"):
        if key in fields:
            out[key] = clean_text(fields[key])
    if "email" in fields:
        email = clean_text(fields["email"])
        out["email"] = None if email is None else normalise_email(email)
    if "phone" in fields:
        phone = clean_text(fields["phone"])
        if phone is not None:
            phone = normalise_phone(phone, await phone_region(session, principal.workspace_id))
        out["phone"] = phone
    for kind in channels.KINDS:
        if f"{kind}s" not in fields:
            continue
        region = await phone_region(session, principal.workspace_id) if kind == "phone" else ""
        listed = channels.clean_entries(kind, fields[f"{kind}s"], region)
        # `email` beside `emails` must name the same primary: two answers to one question.
        if out.get(kind) is not None and out[kind] != listed[kind]:
            raise invalid(kind, f"{kind} is the primary of {kind}s; they disagree")
        out.update(listed)
    if fields.get("account_id") is not None:
        await require_account(session, principal.workspace_id, fields["account_id"])
    if fields.get("owner_id") is not None:
        await require_member(session, principal.workspace_id, fields["owner_id"], field="owner_id")
    for key in ("account_id", "owner_id"):
        if key in fields:
            out[key] = fields[key]
    if "tags" in fields:
        out["tags"] = clean_tags(fields["tags"])
    if "custom_fields" in fields or current_custom is None:
        # Defined fields are typed and may be required; the object merges key by key on PATCH.
        out["custom_fields"] = await custom_fields.check_write(
            session,
            principal.workspace_id,
            "contacts",
            fields.get("custom_fields") or {},
            current=current_custom,
            merge=current_custom is not None and fields.get("custom_fields") is not None,
        )
    return out


def _require_identity(values: dict[str, Any]) -> None:
    if all(values.get(key) is None for key in IDENTITY):
        raise invalid(["body"], "A contact needs at least one of first_name, last_name, email or phone")


async def _lock_identity(session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Serialise creates of one email or phone, so two racing requests cannot both miss the other.

    Transaction-level: held until commit, when the first contact becomes visible to the second.
    Always email before phone, so two creates never wait on each other in a circle. The shared
    workspace lock lets an import batch (which takes it exclusively) write many contacts at once
    without racing single creates.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:key, 0))"),
        {"key": contact_writers_lock(workspace_id)},
    )
    for kind in channels.KINDS:
        # Sorted, so two creates sharing two addresses take them in the same order.
        for value in sorted(channels.all_values(kind, values)):
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"contact-{kind}:{workspace_id}:{value}"},
            )


def contact_writers_lock(workspace_id: uuid.UUID) -> str:
    """The advisory lock key creates share and an import batch holds alone."""
    return f"contact-writers:{workspace_id}"


async def find_duplicate(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    email: str | None,
    phone: str | None,
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    for_update: bool = False,
) -> Contact | None:
    """The live contact having any of these normalised emails or phones, primary or not; an email
    match wins, then the oldest."""
    email_list = list(dict.fromkeys([*([email] if email else []), *(emails or [])]))
    phone_list = list(dict.fromkeys([*([phone] if phone else []), *(phones or [])]))
    matches: list[ColumnElement[bool]] = []
    by_email: ColumnElement[Any] | None = None
    if email_list:
        others = select(ContactEmail.contact_id).where(
            ContactEmail.workspace_id == workspace_id, ContactEmail.email.in_(email_list)
        )
        by_email = or_(Contact.email.in_(email_list), Contact.id.in_(others))
        matches.append(by_email)
    if phone_list:
        others = select(ContactPhone.contact_id).where(
            ContactPhone.workspace_id == workspace_id, ContactPhone.phone.in_(phone_list)
        )
        matches.append(or_(Contact.phone.in_(phone_list), Contact.id.in_(others)))
    if not matches:
        return None
    order = [case((by_email, 0), else_=1)] if by_email is not None else []
    query = (
        select(Contact)
        .where(Contact.workspace_id == workspace_id, Contact.merged_into_id.is_(None), or_(*matches))
        .order_by(*order, Contact.created_at, Contact.id)
        .limit(1)
    )
    if for_update:
        query = query.with_for_update(of=Contact).execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def _merge_into(
    session: AsyncSession, principal: Principal, existing: Contact, values: dict[str, Any], now: datetime
) -> Contact:
    """Fill what the existing contact lacks from the new data; never overwrite what it has."""
    before = snapshot(existing)
    for key in MERGEABLE:
        if getattr(existing, key) is None and values.get(key) is not None:
            setattr(existing, key, values[key])
    incoming = SimpleNamespace(**{k: values.get(k) for k in CHANNEL_FIELDS})
    for kind in channels.KINDS:
        channels.union(kind, existing, [incoming])
    if values.get("tags"):
        existing.tags = clean_tags([*existing.tags, *values["tags"]])
    if values.get("custom_fields"):
        existing.custom_fields = {**values["custom_fields"], **existing.custom_fields}
    if await announce_changes(session, principal, existing, before=before, subject_type=SUBJECT, now=now):
        await flag_contact(session, principal.workspace_id, existing, now)
    return existing


async def create_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    fields: dict[str, Any],
    on_duplicate: OnDuplicate = "error",
    now: datetime,
) -> tuple[Contact, bool]:
    """Create a contact; returns it and whether it is new (False: merged into a duplicate).

    A contact with the same normalised email or phone is a 409 naming it (`error`), is ignored
    (`allow`), or receives the new data in its empty fields (`merge`).
    """
    # On create a list left out (None) is no list; on PATCH `null` clears it.
    fields = {k: v for k, v in fields.items() if not (k in ("emails", "phones") and v is None)}
    values = await _clean(session, principal, fields)
    _require_identity(values)
    if values.get("owner_id") is None:
        values["owner_id"] = principal.user_id
    if values.get("account_id") is None and values.get("email") is not None:
        domain = email_domain(values["email"])
        if domain not in FREE_MAIL_DOMAINS:
            values["account_id"] = await account_with_domain(session, principal.workspace_id, domain)
    await require_fields(session, principal.workspace_id, "contacts", values)
    if on_duplicate != "allow":
        await _lock_identity(session, principal.workspace_id, values)
        emails = channels.all_values("email", values)
        duplicate = await find_duplicate(
            session,
            principal.workspace_id,
            email=None,
            phone=None,
            emails=emails,
            phones=channels.all_values("phone", values),
            for_update=on_duplicate == "merge",
        )
        if duplicate is not None:
            if on_duplicate == "merge":
                return await _merge_into(session, principal, duplicate, values, now), False
            theirs = {e["email"] for e in duplicate.emails}
            same = "email" if theirs.intersection(emails) else "phone"
            raise Conflict(f"A contact with this {same} already exists", duplicate_of=str(duplicate.id))
    contact = Contact(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        tags=values.pop("tags", []),
        custom_fields=values.pop("custom_fields", {}),
        **values,
    )
    session.add(contact)
    await announce_created(session, principal, contact, subject_type=SUBJECT, now=now)
    await flag_contact(session, principal.workspace_id, contact, now)
    return contact, True


async def update_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    contact_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Contact:
    """Merge-patch: a field left out is unchanged, `null` clears it."""
    contact = await get_contact(session, principal, contact_id, for_update=True)
    expect_version(contact, expected_version, SUBJECT)
    values = await _clean(session, principal, changes, current_custom=contact.custom_fields)
    for kind in channels.KINDS:
        if kind in values and f"{kind}s" not in changes:
            values.update(channels.change_primary(kind, contact, values[kind]))
    _require_identity({key: values.get(key, getattr(contact, key)) for key in IDENTITY})
    before = snapshot(contact)
    for key, value in values.items():
        setattr(contact, key, value)
    await require_fields(session, principal.workspace_id, "contacts", snapshot(contact))
    changes = await announce_changes(
        session, principal, contact, before=before, subject_type=SUBJECT, now=now
    )
    if changes.keys() & {"first_name", "last_name", "email", "phone", "account_id"}:
        await flag_contact(session, principal.workspace_id, contact, now)
    return contact


async def delete_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    contact_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    contact = await get_contact(session, principal, contact_id, for_update=True)
    expect_version(contact, expected_version, SUBJECT)
    await trash.move_to_trash(session, principal, "contacts", contact.id, now)
    await delete_and_announce(session, principal, contact, subject_type=SUBJECT, now=now)


def _matching(workspace_id: uuid.UUID, q: str) -> ColumnElement[bool]:
    """Any part of a name, email, title or the company's name, any case (see domain.search)."""
    pattern = like_pattern(q)
    if uses_trigram_index(q):
        return Contact.id.in_(select(func.contact_ids_matching(pattern)))
    companies = select(Account.id).where(
        Account.workspace_id == workspace_id, func.lower(Account.name).like(pattern)
    )
    return or_(Contact.search_text.like(pattern), Contact.account_id.in_(companies))


async def list_contacts(
    session: AsyncSession,
    *,
    principal: Principal,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    tag: str | None = None,
    email: str | None = None,
    updated_after: datetime | None = None,
    created_after: datetime | None = None,
    q: str | None = None,
    custom: Mapping[str, str] | None = None,
    sort: str | None = None,
    after: Keyset | None = None,
    limit: int,
) -> PageResult[Contact]:
    query = select(Contact).where(
        Contact.workspace_id == principal.workspace_id, Contact.merged_into_id.is_(None)
    )
    if owner_id is not None:
        query = query.where(Contact.owner_id == owner_id)
    if account_id is not None:
        query = query.where(Contact.account_id == account_id)
    if tag:
        query = query.where(Contact.tags.contains([tag.strip()]))
    if email:
        query = query.where(Contact.email == (try_normalise_email(email) or email.strip().lower()))
    if updated_after is not None:
        query = query.where(Contact.updated_at > as_utc(updated_after))
    if created_after is not None:
        query = query.where(Contact.created_at > as_utc(created_after))
    if q and q.strip():
        query = query.where(_matching(principal.workspace_id, q))
    specs = await specs_for(session, principal.workspace_id, "contacts")
    if custom:
        env = await env_for(session, principal.workspace_id)
        query = query.where(*custom_filters(Contact, specs, custom, env))
    return await keyset_page(
        session,
        query,
        sort=sort,
        allowed=SORTS,
        default=DEFAULT_SORT,
        id_column=Contact.id,
        after=after,
        limit=limit,
        custom_sorts=custom_sorts(Contact, specs),
    )
